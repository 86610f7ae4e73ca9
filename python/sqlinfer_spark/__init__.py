"""sqlinfer as the model step of a Spark job.

    from sqlinfer_spark import predict
    out = predict(df, "SELECT id, predict_resnet50(data) AS prediction FROM batch",
                  settings={"model_threads": 4})

Each Python worker streams its partitions, as Arrow record batches, to one long-lived
`sqlinfer --arrow-stream` process (started on first use, started again if it died), so the model loads
once per worker process, not once per partition.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shlex
import threading
from typing import Iterable, Iterator, Mapping, Optional, Sequence, Union

import pyarrow as pa

from ._process import SqlinferError, SqlinferProcess

__all__ = ["SqlinferError", "SqlinferMap", "map_in_arrow", "predict", "worker_process_ids"]

Executable = Union[str, Sequence[str], None]
SettingValue = Union[str, int, float, bool]

# Settings that sqlinfer takes as flags (they size the worker pool before any statement runs).
_FLAG_SETTINGS = {"model_threads": "--model-threads", "model_batch_size": "--model-batch-size", "resnet50_weights": "--resnet50-weights"}

# Spark's Arrow batches hold up to spark.sql.execution.arrow.maxRecordsPerBatch rows (10000 by default:
# 6 GB of ResNet-50 tensors); larger ones go to sqlinfer in slices of about this size.
_MAX_BATCH_BYTES = 256 * 1024 * 1024

# One process per statement, settings and input schema, for the life of this Python worker.
_processes: dict[tuple, SqlinferProcess] = {}
_processes_lock = threading.Lock()


def _command(sql: str, settings: Optional[Mapping[str, SettingValue]], executable: Executable) -> list[str]:
    if executable is None:
        executable = os.environ.get("SQLINFER", "sqlinfer")
    argv = shlex.split(executable) if isinstance(executable, str) else list(executable)
    argv.append("--arrow-stream")
    sets = []
    for name, value in (settings or {}).items():
        if name in _FLAG_SETTINGS:
            argv += [_FLAG_SETTINGS[name], str(value)]
        else:
            sets.append(f"SET {name} = {_literal(value)}")
    if sets:
        argv += ["-c", "; ".join(sets)]
    return argv + ["-c", sql]


def _literal(value: SettingValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class SqlinferMap:
    """The function for `DataFrame.mapInArrow`: `df.mapInArrow(f, f.schema(df))`."""

    def __init__(self, sql: str, schema=None, settings: Optional[Mapping[str, SettingValue]] = None, executable: Executable = None):
        self.argv = _command(sql, settings, executable)
        self._schema = schema

    def schema(self, df):
        """The result's Spark schema: the one given, else asked of sqlinfer once (the statement run over
        no rows of the DataFrame's schema)."""
        from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema
        from pyspark.sql.types import StructType, _parse_datatype_string

        if self._schema is None:
            self._schema = from_arrow_schema(SqlinferProcess(self.argv).schema_only(to_arrow_schema(df.schema)))
        elif not isinstance(self._schema, StructType):
            # Parsed here, on the driver: parsing a DDL string needs the SparkContext.
            self._schema = _parse_datatype_string(self._schema)
        return self._schema

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            return
        process = _process_for(self.argv, first.schema)
        target = self._target_schema()
        try:
            for result in process.run(_slices(itertools.chain([first], batches))):
                yield result if target is None else result.cast(target)
        except BaseException:
            # The exchange is cut mid-stream: this process cannot serve another partition.
            _forget(process)
            raise

    def _target_schema(self) -> Optional[pa.Schema]:
        """The declared schema (once schema(df) has made it a StructType) in Arrow terms, so Spark gets
        exactly its field names and types."""
        from pyspark.sql.pandas.types import to_arrow_schema
        from pyspark.sql.types import StructType

        return to_arrow_schema(self._schema) if isinstance(self._schema, StructType) else None


def _slices(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        if batch.nbytes <= _MAX_BATCH_BYTES or batch.num_rows <= 1:
            yield batch
            continue
        rows = max(1, batch.num_rows * _MAX_BATCH_BYTES // batch.nbytes)
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


def map_in_arrow(sql: str, schema=None, settings: Optional[Mapping[str, SettingValue]] = None, executable: Executable = None) -> SqlinferMap:
    """The function for `DataFrame.mapInArrow` that runs `sql` (which reads the table `batch`) over each
    Arrow batch. `settings` are sqlinfer settings (model_threads, model_errors, resnet50_weights ...);
    `executable` is the sqlinfer command (default: $SQLINFER, else `sqlinfer` on the PATH)."""
    return SqlinferMap(sql, schema, settings, executable)


def predict(df, sql: str, schema=None, settings: Optional[Mapping[str, SettingValue]] = None, executable: Executable = None):
    """`sql` run over `df` by sqlinfer, as a DataFrame."""
    f = map_in_arrow(sql, schema, settings, executable)
    return df.mapInArrow(f, f.schema(df))


def worker_process_ids() -> list[int]:
    """The pids of this Python worker's live sqlinfer processes."""
    with _processes_lock:
        return [p.pid for p in _processes.values() if p.alive()]


def _process_for(argv: list[str], schema: pa.Schema) -> SqlinferProcess:
    key = (tuple(argv), schema.serialize().to_pybytes())
    with _processes_lock:
        process = _processes.get(key)
        if process is None or not process.alive():
            if process is not None:
                process.kill()
            process = _processes[key] = SqlinferProcess(argv)
        return process


def _forget(process: SqlinferProcess) -> None:
    with _processes_lock:
        for key, p in list(_processes.items()):
            if p is process:
                del _processes[key]
    process.kill()


@atexit.register
def _close_all() -> None:
    with _processes_lock:
        processes = list(_processes.values())
        _processes.clear()
    for p in processes:
        p.close()


"""One `sqlinfer --arrow-stream` process and the Arrow IPC streams to and from it.

The input stream stays open across partitions: a Python worker that Spark reuses sends every partition
through the same process, so the model loads once. A thread writes the partition's batches to stdin
while the caller reads the results from stdout (one result batch per input batch, in order), so neither
pipe can fill up and block the other; another thread drains stderr, echoing it to the worker's stderr
and keeping its end for the error message.
"""

from __future__ import annotations

import collections
import queue
import subprocess
import sys
import threading
from typing import Iterable, Iterator, Sequence

import pyarrow as pa

# The part of sqlinfer's stderr kept for an exception's text.
_STDERR_TAIL_BYTES = 64 * 1024
# How long a failed process gets to finish writing its error and exit.
_EXIT_WAIT_SECONDS = 30


class SqlinferError(RuntimeError):
    """sqlinfer failed (a statement error, a bad row under model_errors = 'fail', or the process died):
    the message is sqlinfer's own stderr."""


class SqlinferProcess:
    def __init__(self, argv: Sequence[str]):
        self.argv = list(argv)
        try:
            self._proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as error:
            raise SqlinferError(f"cannot start sqlinfer ({' '.join(self.argv)}): {error}") from error
        self._stderr_tail: collections.deque[bytes] = collections.deque()
        self._stderr_size = 0
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        self._writer: pa.ipc.RecordBatchStreamWriter | None = None
        self._reader: pa.ipc.RecordBatchStreamReader | None = None
        self._schema: pa.Schema | None = None

    @property
    def pid(self) -> int:
        return self._proc.pid

    def alive(self) -> bool:
        return self._proc.poll() is None

    def run(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Sends `batches` and yields one result batch for each, in order."""
        sent: queue.Queue = queue.Queue()
        done = object()

        def write() -> None:
            try:
                for batch in batches:
                    self._write(batch)
                    sent.put(None)
                sent.put(done)
            except BaseException as error:  # handed to the reading side, which raises it
                sent.put(error)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        while True:
            item = sent.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                if isinstance(item, (BrokenPipeError, OSError)):
                    raise self.failure("sqlinfer stopped reading its input")
                raise item
            yield self._read()
        writer.join()

    def schema_only(self, schema: pa.Schema) -> pa.Schema:
        """The result schema for an input schema: an empty stream in, a schema-only stream out."""
        try:
            self._proc.stdin.write(_empty_stream(schema))
            self._proc.stdin.close()
            reader = pa.ipc.open_stream(self._proc.stdout)
            result = reader.schema
            for _ in reader:
                pass
        except (OSError, pa.ArrowInvalid):
            raise self.failure("sqlinfer gave no result schema") from None
        if self._proc.wait() != 0:
            raise self.failure("sqlinfer failed")
        self._stderr_thread.join()
        self._proc.stdout.close()
        self._proc.stderr.close()
        return result

    def close(self) -> None:
        """Ends the input stream; sqlinfer then exits after its last result."""
        try:
            if self._writer is not None:
                self._writer.close()
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=_EXIT_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.alive():
            self._proc.kill()
        self._proc.wait()

    def failure(self, what: str) -> SqlinferError:
        """The exception for a failed exchange: sqlinfer's stderr once it has exited, else `what`."""
        try:
            status = self._proc.wait(timeout=_EXIT_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            status = self._proc.wait()
        self._stderr_thread.join(timeout=_EXIT_WAIT_SECONDS)
        text = b"".join(self._stderr_tail).decode("utf-8", "replace").strip()
        reason = f"exit status {status}" if status >= 0 else f"killed by signal {-status}"
        return SqlinferError(f"{text}\n(sqlinfer {reason})" if text else f"{what} (sqlinfer {reason}, nothing on stderr)")

    def _write(self, batch: pa.RecordBatch) -> None:
        if self._writer is None:
            self._schema = batch.schema
            self._writer = pa.ipc.new_stream(self._proc.stdin, batch.schema)
        self._writer.write_batch(batch)
        self._proc.stdin.flush()

    def _read(self) -> pa.RecordBatch:
        try:
            if self._reader is None:
                self._reader = pa.ipc.open_stream(self._proc.stdout)
            return self._reader.read_next_batch()
        except (StopIteration, OSError, pa.ArrowInvalid):
            raise self.failure("sqlinfer ended its output early") from None

    def _drain_stderr(self) -> None:
        echo = getattr(sys.stderr, "buffer", None)
        for line in iter(self._proc.stderr.readline, b""):
            if echo is not None:
                echo.write(line)
                echo.flush()
            self._stderr_tail.append(line)
            self._stderr_size += len(line)
            while self._stderr_size > _STDERR_TAIL_BYTES and len(self._stderr_tail) > 1:
                self._stderr_size -= len(self._stderr_tail.popleft())


def _empty_stream(schema: pa.Schema) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema):
        pass
    return sink.getvalue().to_pybytes()

"""sqlinfer_spark on a real local Spark (local[2,2]: two task threads, a failed task is tried twice).

Run by test/spark.test.ts, which builds sqlinfer, writes the ONNX fixture and sets:
  SQLINFER              the sqlinfer command (e.g. "node /repo/dist/shell/main.js")
  SQLINFER_TEST_ONNX    an ONNX model y = x W + b, x of 3 floats, y of 2
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import tempfile
import unittest

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pyspark import TaskContext
from pyspark.sql import SparkSession

import sqlinfer_spark
from sqlinfer_spark import SqlinferError, map_in_arrow, predict

SQLINFER = shlex.split(os.environ["SQLINFER"])
ONNX = os.environ["SQLINFER_TEST_ONNX"]
# The ONNX model, created in each sqlinfer process before the stream starts.
LINEAR = SQLINFER + ["-c", f"CREATE MODEL lin FROM '{ONNX}'"]
RESNET_SETTINGS = {"resnet50_weights": "random", "model_threads": 1}


def sqlinfer_alone(argv: list[str], sql_over_file: str, rows: pa.Table, tmp: str) -> pa.Table:
    """`sql_over_file` ({rows} is the Parquet file of `rows`) run by the sqlinfer command alone."""
    rows_path = os.path.join(tmp, "alone-rows.parquet")
    out_path = os.path.join(tmp, "alone-out.parquet")
    pq.write_table(rows, rows_path)
    sql = sql_over_file.format(rows=f"'{rows_path}'")
    subprocess.run(argv + ["-c", f"COPY ({sql}) TO '{out_path}'"], check=True, capture_output=True)
    return pq.read_table(out_path)


def by_id(rows) -> dict:
    return {r["id"]: r for r in rows}


class SparkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sqlinfer-spark-")
        cls.spark = (
            SparkSession.builder.master("local[2,2]")
            .appName("sqlinfer-spark-test")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.python.worker.reuse", "true")
            .getOrCreate()
        )
        cls.spark.sparkContext.setLogLevel("OFF")

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()

    def setUp(self):
        self.spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")

    def frame(self, table: pa.Table, name: str, partitions: int):
        path = os.path.join(self.tmp, f"{name}.parquet")
        pq.write_table(table, path)
        return self.spark.read.parquet(path).repartition(partitions)

    def linear_rows(self, n: int, bad: int | None = None) -> pa.Table:
        rng = np.random.default_rng(n)
        values = [None if i % 7 == 3 else [float(v) for v in rng.standard_normal(2 if i == bad else 3).astype(np.float32)] for i in range(n)]
        return pa.table({"id": pa.array(range(n), pa.int64()), "x": pa.array(values, pa.list_(pa.float32()))})

    def test_resnet50_equals_sqlinfer_alone(self):
        rng = np.random.default_rng(50)
        n = 5
        data = pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32) * 150528), pa.array(rng.random(n * 150528, dtype=np.float32) * 255))
        rows = pa.table({"id": pa.array(range(n), pa.int64()), "data": data})
        sql = "SELECT id, predict_resnet50(data) AS p FROM batch"
        got = predict(self.frame(rows, "resnet", 3), sql, settings=RESNET_SETTINGS, executable=SQLINFER).collect()
        alone = by_id(sqlinfer_alone(SQLINFER + ["--resnet50-weights", "random", "--model-threads", "1"], sql.replace("batch", "{rows}"), rows, self.tmp).to_pylist())
        self.assertEqual(sorted(r["id"] for r in got), list(range(n)))
        for r in got:
            self.assertEqual(len(r["p"]), 1000)
            diff = np.max(np.abs(np.array(r["p"]) - np.array(alone[r["id"]]["p"])))
            self.assertLess(diff, 1e-6, f"row {r['id']}")

    def test_onnx_model_equals_sqlinfer_alone_with_null_tensors(self):
        rows = self.linear_rows(40)
        sql = "SELECT id, lin(x) AS y, x IS NULL AS missing FROM batch"
        got = by_id(r.asDict() for r in predict(self.frame(rows, "linear", 4), sql, executable=LINEAR).collect())
        alone = by_id(sqlinfer_alone(LINEAR, sql.replace("batch", "{rows}"), rows, self.tmp).to_pylist())
        self.assertEqual(got, alone)
        self.assertTrue(any(r["y"] is None for r in got.values()), "some tensors are NULL, and so are their results")

    def test_more_partitions_than_rows_and_an_empty_partition(self):
        rows = self.linear_rows(3)
        f = map_in_arrow("SELECT id, lin(x) AS y FROM batch", "id long, y array<float>", executable=LINEAR)
        df = self.frame(rows, "few", 8)
        self.assertGreater(df.rdd.getNumPartitions(), rows.num_rows)
        got = by_id(r.asDict() for r in df.mapInArrow(f, f.schema(df)).collect())
        self.assertEqual(sorted(got), [0, 1, 2])
        empty = df.where("id < 0").mapInArrow(f, f.schema(df)).collect()
        self.assertEqual(empty, [])

    def test_bad_row_under_fail_fails_the_job_with_sqlinfers_error(self):
        rows = self.linear_rows(10, bad=5)
        df = predict(self.frame(rows, "bad", 2), "SELECT id, lin(x) AS y FROM batch", settings={"model_errors": "fail"}, executable=LINEAR)
        with self.assertRaises(Exception) as caught:
            df.collect()
        self.assertIn("lin failed on row", str(caught.exception))
        self.assertIn("input 'x' expects 3 values (rows of shape [3]), found 2", str(caught.exception))

    def test_bad_row_under_null_gives_null(self):
        rows = self.linear_rows(10, bad=5)
        sql = "SELECT id, lin(x) AS y FROM batch"
        got = by_id(r.asDict() for r in predict(self.frame(rows, "bad-null", 2), sql, settings={"model_errors": "null"}, executable=LINEAR).collect())
        self.assertIsNone(got[5]["y"])
        alone = by_id(sqlinfer_alone(LINEAR, sql.replace("batch", "{rows}"), rows.filter(pa.compute.not_equal(rows["id"], 5)), self.tmp).to_pylist())
        self.assertEqual({k: v for k, v in got.items() if k != 5}, alone)

    def test_killed_process_fails_the_task_and_the_retry_succeeds(self):
        self.spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "1")
        rows = self.linear_rows(12)
        marker = os.path.join(self.tmp, "killed.txt")
        f = map_in_arrow("SELECT id, lin(x) AS y FROM batch", "id long, y array<float>", executable=LINEAR)

        def killing(batches):
            attempt = TaskContext.get().attemptNumber()
            partition = TaskContext.get().partitionId()

            def feed():
                for i, batch in enumerate(batches):
                    # The first attempt of partition 0 loses its sqlinfer after one batch went in: the
                    # second result can never come.
                    if i == 1 and attempt == 0 and partition == 0:
                        for pid in sqlinfer_spark.worker_process_ids():
                            os.kill(pid, signal.SIGKILL)
                    yield batch

            try:
                yield from f(feed())
            except SqlinferError as error:
                with open(marker, "a") as out:
                    out.write(f"{attempt} {error}\n")
                raise

        got = by_id(r.asDict() for r in self.frame(rows, "kill", 2).mapInArrow(killing, "id long, y array<float>").collect())
        self.assertEqual(sorted(got), list(range(12)))
        with open(marker) as text:
            failures = text.read()
        self.assertIn("killed by signal 9", failures)
        self.assertTrue(failures.startswith("0 "), failures)


class WithoutSparkTest(unittest.TestCase):
    def test_batches_over_the_byte_budget_go_in_slices_and_come_back_whole(self):
        budget = sqlinfer_spark._MAX_BATCH_BYTES
        sqlinfer_spark._MAX_BATCH_BYTES = 200
        try:
            x = pa.array([[float(i), 1.0, -1.0] for i in range(30)], pa.list_(pa.float32()))
            batch = pa.record_batch([pa.array(range(30), pa.int64()), x], names=["id", "x"])
            f = map_in_arrow("SELECT id, lin(x) AS y FROM batch", executable=LINEAR)
            results = list(f([batch]))
        finally:
            sqlinfer_spark._MAX_BATCH_BYTES = budget
        self.assertGreater(len(results), 1, "the batch went in slices")
        ids = [i for r in results for i in r.column("id").to_pylist()]
        self.assertEqual(ids, list(range(30)))


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""The Databricks notebook "Distributed model inference using TensorFlow Keras" next to sqlinfer, on one
machine and the same rows:

  (a) the notebook's pipeline as written: PySpark, a pandas UDF (scalar iterator) that rebuilds
      tf.keras.applications.ResNet50(weights=None) from broadcast weights and predicts with 'tf'
      preprocessing;
  (b) the same Spark job with the model step done by sqlinfer_spark;
  (c) sqlinfer alone on the Parquet file.

The Keras model's (random, seeded) weights are saved in the legacy HDF5 layout of Keras's published
resnet50_weights_tf_dim_ordering_tf_kernels.h5 and given to sqlinfer, so (b) and (c) compute the same
network: the script prints images/s and the largest difference of each one's probabilities from Keras's.

Needs tensorflow-cpu, pandas and h5py (not part of npm test):
    pip install tensorflow-cpu pandas h5py pyspark pyarrow ./python
    python python/bench_notebook.py --rows 64 --sqlinfer "node dist/shell/main.js"
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import tempfile
import time
from typing import Iterator

import h5py
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SIDE = 224
SIZE = SIDE * SIDE * 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2, help="Spark's local[N] and sqlinfer's threads in all")
    parser.add_argument("--sqlinfer", default=os.environ.get("SQLINFER", "sqlinfer"))
    args = parser.parse_args()
    sqlinfer = shlex.split(args.sqlinfer)

    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    model = tf.keras.applications.ResNet50(weights=None)
    with tempfile.TemporaryDirectory() as tmp:
        weights = os.path.join(tmp, "resnet50_weights_tf_dim_ordering_tf_kernels.h5")
        save_legacy_h5(model, weights)
        rows = os.path.join(tmp, "image_data.parquet")
        write_rows(rows, args.rows)

        spark = spark_session(args.cores)
        keras_s, keras = run_notebook(spark, model, rows, os.path.join(tmp, "a"), args.partitions)
        spark_s, via_spark = run_sqlinfer_spark(spark, rows, os.path.join(tmp, "b"), args.partitions, weights, sqlinfer, args.cores)
        spark.stop()
        alone_s, alone = run_sqlinfer_alone(rows, os.path.join(tmp, "c.parquet"), weights, sqlinfer, args.cores)

    print(f"\n{args.rows} rows, {args.partitions} partitions, local[{args.cores}]\n")
    print("| pipeline | seconds | images/s | max abs difference of probabilities from Keras |")
    print("|---|---|---|---|")
    print(f"| (a) notebook: PySpark pandas UDF, Keras ResNet50 | {keras_s:.1f} | {args.rows / keras_s:.2f} | 0 (reference) |")
    print(f"| (b) PySpark, model step by sqlinfer_spark | {spark_s:.1f} | {args.rows / spark_s:.2f} | {max_difference(keras, via_spark):.2e} |")
    print(f"| (c) sqlinfer alone | {alone_s:.1f} | {args.rows / alone_s:.2f} | {max_difference(keras, alone):.2e} |")
    largest = max(float(p.max()) for p in keras.values())
    agree = sum(int(np.argmax(keras[i]) == np.argmax(alone[i])) for i in keras)
    print(f"\nKeras's largest probability: {largest:.3g}; same top-1 class as Keras (c): {agree} of {len(keras)} rows")


def save_legacy_h5(model, path: str) -> None:
    """The weights in Keras 2's `save_weights('x.h5')` layout: root attribute layer_names, one group per
    layer with attribute weight_names, datasets at <layer>/<layer>/<weight>:0."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([layer.name.encode() for layer in model.layers])
        f.attrs["backend"] = b"tensorflow"
        for layer in model.layers:
            group = f.create_group(layer.name)
            names = [f"{layer.name}/{w.name.split('/')[-1].split(':')[0]}:0" for w in layer.weights]
            group.attrs["weight_names"] = np.array([n.encode() for n in names])
            for name, value in zip(names, layer.get_weights()):
                group.create_dataset(name, data=value)


def write_rows(path: str, n: int) -> None:
    """Pixel tensors in [0, 255], flattened 224x224x3, as the notebook's image_data.parquet holds them."""
    rng = np.random.default_rng(0)
    values = pa.array((rng.random(n * SIZE, dtype=np.float32) * 255).round())
    data = pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32) * SIZE), values)
    pq.write_table(pa.table({"id": pa.array(range(n), pa.int64()), "data": data}), path, row_group_size=16)


def spark_session(cores: int):
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )


def run_notebook(spark, model, rows: str, out: str, partitions: int):
    """The notebook's cells: broadcast weights, a scalar-iterator pandas UDF rebuilding the model."""
    from pyspark.sql.functions import col, pandas_udf
    from pyspark.sql.types import ArrayType, FloatType

    bc_model_weights = spark.sparkContext.broadcast(model.get_weights())

    @pandas_udf(ArrayType(FloatType()))
    def predict_batch_udf(image_batch_iter: Iterator[pd.Series]) -> Iterator[pd.Series]:
        import tensorflow as tf

        batch_size = 64
        model = tf.keras.applications.ResNet50(weights=None)
        model.set_weights(bc_model_weights.value)
        for image_batch in image_batch_iter:
            images = np.vstack(image_batch).reshape(-1, SIDE, SIDE, 3)
            images = tf.keras.applications.imagenet_utils.preprocess_input(images, mode="tf")
            preds = model.predict(images, batch_size=batch_size, verbose=0)
            yield pd.Series(list(preds))

    start = time.perf_counter()
    df = spark.read.parquet(rows).repartition(partitions)
    df.select(col("id"), predict_batch_udf(col("data")).alias("prediction")).write.mode("overwrite").parquet(out)
    seconds = time.perf_counter() - start
    return seconds, predictions(pq.read_table(out))


def run_sqlinfer_spark(spark, rows: str, out: str, partitions: int, weights: str, sqlinfer: list[str], cores: int):
    from sqlinfer_spark import predict

    start = time.perf_counter()
    df = spark.read.parquet(rows).repartition(partitions)
    # One task per core, one sqlinfer process per task's Python worker: one model thread each.
    result = predict(
        df,
        "SELECT id, predict_resnet50(data, 'tf') AS prediction FROM batch",
        settings={"resnet50_weights": weights, "model_threads": 1},
        executable=sqlinfer,
    )
    result.write.mode("overwrite").parquet(out)
    seconds = time.perf_counter() - start
    return seconds, predictions(pq.read_table(out))


def run_sqlinfer_alone(rows: str, out: str, weights: str, sqlinfer: list[str], cores: int):
    sql = f"COPY (SELECT id, predict_resnet50(data, 'tf') AS prediction FROM '{rows}') TO '{out}'"
    start = time.perf_counter()
    subprocess.run(sqlinfer + ["--resnet50-weights", weights, "--model-threads", str(cores), "-c", sql], check=True)
    seconds = time.perf_counter() - start
    return seconds, predictions(pq.read_table(out))


def predictions(table: pa.Table) -> dict[int, np.ndarray]:
    return {row["id"]: np.array(row["prediction"], dtype=np.float64) for row in table.to_pylist()}


def max_difference(reference: dict[int, np.ndarray], other: dict[int, np.ndarray]) -> float:
    assert sorted(reference) == sorted(other), "both pipelines must give every row"
    return max(float(np.max(np.abs(reference[i] - other[i]))) for i in reference)


if __name__ == "__main__":
    main()

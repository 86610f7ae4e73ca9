"""Rows/s of `sqlinfer --arrow-stream` against `sqlinfer` alone on a Parquet file of the same rows:
ResNet-50 with random weights, random 224x224x3 tensors. Both timings include process start and model load.

    python python/bench_stream.py --rows 64 --batch 32 [--sqlinfer "node dist/shell/main.js"]
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SIZE = 224 * 224 * 3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32, help="rows per Arrow record batch")
    parser.add_argument("--sqlinfer", default=os.environ.get("SQLINFER", "sqlinfer"))
    args = parser.parse_args()
    sqlinfer = shlex.split(args.sqlinfer) + ["--resnet50-weights", "random"]
    rng = np.random.default_rng(0)
    values = pa.array(rng.random(args.rows * SIZE, dtype=np.float32) * 255)
    data = pa.ListArray.from_arrays(pa.array(np.arange(args.rows + 1, dtype=np.int32) * SIZE), values)
    table = pa.table({"id": pa.array(range(args.rows), pa.int64()), "data": data})
    with tempfile.TemporaryDirectory() as tmp:
        parquet = os.path.join(tmp, "rows.parquet")
        pq.write_table(table, parquet, row_group_size=args.batch)
        stream = os.path.join(tmp, "rows.arrows")
        with pa.OSFile(stream, "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
            for batch in table.to_batches(max_chunksize=args.batch):
                writer.write_batch(batch)
        out = os.path.join(tmp, "out.parquet")
        alone = timed(sqlinfer + ["-c", f"COPY (SELECT id, predict_resnet50(data) AS p FROM '{parquet}') TO '{out}'"])
        with open(stream, "rb") as stdin:
            streamed = timed(sqlinfer + ["--arrow-stream", "-c", "SELECT id, predict_resnet50(data) AS p FROM batch"], stdin)
    print(f"rows={args.rows} batch={args.batch}")
    print(f"sqlinfer alone on Parquet: {args.rows / alone:.2f} rows/s ({alone:.1f} s)")
    print(f"sqlinfer --arrow-stream:   {args.rows / streamed:.2f} rows/s ({streamed:.1f} s)")
    print(f"ratio stream/alone: {alone / streamed:.2f}")


def timed(argv: list[str], stdin=None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()

"""sqlinfer's int8 ResNet-50 against onnxruntime's own quantizer on the same fp32 graph and rows.

onnxruntime.quantization.quantize_static (QDQ, int8 weights per channel, uint8 activations) quantizes
the fp32 ONNX graph that sqlinfer builds, calibrated on the same rows, with several calibration methods;
each model's probabilities on the held-out rows are measured against fp32 as sqlinfer's accuracy report
does (top-1 agreement, top-5 overlap, mean KL(fp32 || int8)), next to sqlinfer's own int8 graph. The
min/max model's quantized weights, biases, scales and zero points are also compared value by value with
sqlinfer's.

    node dist/scripts/int8-accuracy.js --dump /tmp/int8
    python3 scripts/ort-quantize-compare.py /tmp/int8

Needs onnxruntime and onnx from PyPI (not part of npm test).
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

SIDE = 224
INPUT = "input_1"
FLOOR = 1e-12


class Rows(CalibrationDataReader):
    def __init__(self, rows: np.ndarray, batch: int = 4):
        self.batches = iter([rows[i : i + batch] for i in range(0, len(rows), batch)])

    def get_next(self):
        batch = next(self.batches, None)
        return None if batch is None else {INPUT: batch}


def rows_of(path: str) -> np.ndarray:
    return np.fromfile(path, dtype=np.float32).reshape(-1, SIDE, SIDE, 3)


def predict(model: str, rows: np.ndarray) -> np.ndarray:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    return np.concatenate([session.run(None, {INPUT: rows[i : i + 8]})[0] for i in range(0, len(rows), 8)])


def report(p: np.ndarray, q: np.ndarray) -> tuple[float, float, float]:
    """Top-1 agreement, top-5 overlap, mean KL(p || q), as udfs/models/resnet50/accuracy-report.ts."""
    top_p = np.argsort(-p, axis=1, kind="stable")[:, :5]
    top_q = np.argsort(-q, axis=1, kind="stable")[:, :5]
    top1 = float(np.mean(top_p[:, 0] == top_q[:, 0]))
    top5 = float(np.mean([len(set(a) & set(b)) / 5 for a, b in zip(top_p, top_q)]))
    kl = float(np.mean(np.sum(np.where(p > 0, p * np.log(np.maximum(p, FLOOR) / np.maximum(q, FLOOR)), 0), axis=1)))
    return top1, top5, kl


def compare_initializers(ours: str, theirs: str) -> None:
    """Initializers of the same role side by side (sqlinfer names them x/scale, onnxruntime x_scale)."""
    ours_by_name = {i.name.replace("/scale", "_scale").replace("/zero_point", "_zero_point").replace("/quantized", "_quantized"): i
                    for i in onnx.load(ours).graph.initializer}
    theirs_by_name = {i.name: i for i in onnx.load(theirs).graph.initializer}
    kinds: dict[str, list[float]] = {}
    for name in sorted(set(ours_by_name) & set(theirs_by_name)):
        a = numpy_helper.to_array(ours_by_name[name]).astype(np.float64)
        b = numpy_helper.to_array(theirs_by_name[name]).astype(np.float64)
        kind = name.rsplit("_", 1)[-1] if name.endswith(("_scale", "_point", "_quantized")) else "fp32 (classifier)"
        kind = {"point": "zero points", "scale": "scales (relative)", "quantized": "int8 weights / int32 biases"}.get(kind, kind)
        difference = np.abs(a - b) / (np.abs(b) if kind == "scales (relative)" else 1)
        count = kinds.setdefault(kind, [0, 0, 0.0])
        count[0] += int((a != b).sum())
        count[1] += a.size
        count[2] = max(count[2], float(difference.max()))
    print(f"\nsqlinfer's graph against onnxruntime's min/max one: {len(set(ours_by_name) & set(theirs_by_name))} "
          f"initializers of the same name ({len(ours_by_name)} and {len(theirs_by_name)} in all)")
    for kind, (differing, total, largest) in kinds.items():
        print(f"  {kind}: {differing} of {total} values differ, by at most {largest:.3g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dump", help="the folder int8-accuracy.js --dump wrote")
    args = parser.parse_args()
    at = lambda name: os.path.join(args.dump, name)
    calibration = rows_of(at("calibration.f32"))
    held_out = rows_of(at("heldout.f32"))
    fp32 = predict(at("fp32.onnx"), held_out)
    fp32_node = np.fromfile(at("fp32-probs.f32"), dtype=np.float32).reshape(fp32.shape)
    ours = np.fromfile(at("int8-probs.f32"), dtype=np.float32).reshape(fp32.shape)
    print(f"{len(calibration)} calibration rows, {len(held_out)} held-out rows; fp32 here vs node's fp32: "
          f"max |difference| {np.abs(fp32 - fp32_node).max():.2e}\n")
    print("| int8 model | top-1 | top-5 | mean KL |")
    print("|---|---|---|---|")
    line = lambda name, q: print(f"| {name} | {100 * report(fp32, q)[0]:.1f}% | {100 * report(fp32, q)[1]:.1f}% | {report(fp32, q)[2]:.2g} |")
    line("sqlinfer (quantize-qdq.ts), as run by node", ours)
    line("sqlinfer (quantize-qdq.ts), run again here", predict(at("int8.onnx"), held_out))
    like_ours = ["Conv", "Add", "MaxPool", "Relu"]
    variants = [
        ("ORT quantize_static, MinMax, Conv/Add/MaxPool/Relu (classifier fp32, like sqlinfer)", CalibrationMethod.MinMax, like_ours, {}),
        ("ORT quantize_static, MinMax, every op it quantizes (classifier too)", CalibrationMethod.MinMax, None, {}),
        ("ORT quantize_static, Percentile 99.999", CalibrationMethod.Percentile, like_ours, {"CalibPercentile": 99.999}),
        ("ORT quantize_static, Percentile 99.99", CalibrationMethod.Percentile, like_ours, {"CalibPercentile": 99.99}),
        ("ORT quantize_static, Percentile 99.9", CalibrationMethod.Percentile, like_ours, {"CalibPercentile": 99.9}),
        ("ORT quantize_static, Entropy (KL)", CalibrationMethod.Entropy, like_ours, {}),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, method, ops, extra in variants:
            out = os.path.join(tmp, "q.onnx")
            try:
                quantize_static(
                    at("fp32.onnx"), out, Rows(calibration),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=method, op_types_to_quantize=ops, extra_options=extra,
                )
                line(name, predict(out, held_out))
                if method == CalibrationMethod.MinMax and ops == like_ours:
                    compare = os.path.join(tmp, "minmax.onnx")
                    os.replace(out, compare)
            except Exception as error:  # one method failing must not hide the others' figures
                print(f"| {name} | failed: {type(error).__name__}: {str(error)[:120]} | | |")
        compare_initializers(at("int8.onnx"), os.path.join(tmp, "minmax.onnx"))


if __name__ == "__main__":
    main()

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareProbabilities } from '../udfs/models/resnet50/accuracy-report.js';
import { localSession, predictRows, RangeCalibration } from '../udfs/models/resnet50/calibration.js';
import { buildResnet50Qdq } from '../udfs/models/resnet50/quantize-qdq.js';
import { buildResnet50Onnx } from '../udfs/models/resnet50/resnet50-graph.js';
import { generatedTensors, photoCalibratedWeights, photoFiles, photoTensors, photoView, pixelsOf } from './helpers/photo-weights.js';

test('the accuracy report: identical rows agree fully; a swapped top class and a moved mass show', () => {
  const p = Float32Array.from({ length: 10 }, (_, i) => (i + 1) / 55);
  const same = compareProbabilities([p, p], [p, p]);
  assert.deepEqual([same.rows, same.top1Agreement, same.top5Overlap], [2, 1, 1]);
  assert.ok(Math.abs(same.meanKl) < 1e-9);
  const swapped = Float32Array.from(p);
  [swapped[9], swapped[0]] = [p[0]!, p[9]!];
  const report = compareProbabilities([p], [swapped]);
  assert.equal(report.top1Agreement, 0);
  assert.equal(report.top5Overlap, 0.8, 'the top class left the top five; four of five stay');
  assert.ok(report.meanKl > 0.1);
});

// Keras-initialized weights whose BatchNorm statistics come from the photos (see photo-weights.ts),
// calibrated on two views of each photo, measured on three other views and on generated images. The
// issue's target, 99% top-1 agreement, is out of reach for these weights, and not through a defect of the
// quantization (scripts/int8-accuracy.ts and scripts/ort-quantize-compare.py; figures in the README):
// onnxruntime's own quantize_static on the same graph and rows agrees 77.5% too, and a random classifier
// leaves near-ties (median top-1 - top-2 logit margin 0.18, about int8's logit error) that any
// perturbation flips: rounding only the input to uint8 leaves 85%. So the bounds are the measured figures
// less a margin for other CPUs' kernels. The less chaotic case also checks that int8 changes only
// near-ties: every row whose fp32 margin is at least twice int8's logit error agrees (25 of 25 here; its
// disagreements are all below half that error), and enough rows have such a margin (a quantization with
// a much larger error leaves too few). With gamma 1 that held too (9 of 9), but shifting every zero
// point by two steps already flipped one, so it is not asserted there. The KL bounds catch coarser
// ranges: onnxruntime's 99.9th-percentile calibration gives a mean KL of 0.10 on these rows.
const CASES = [
  { residualGamma: 1, top1: 0.7, top5: 0.75, kl: 0.03, clearRows: null },
  { residualGamma: 0.3, top1: 0.8, top5: 0.8, kl: 0.003, clearRows: 15 },
] as const;

/** Log-probabilities less their mean: the logits, up to a constant that cancels. */
function logitsOf(p: Float32Array): Float64Array {
  const l = Float64Array.from(p, (v) => Math.log(Math.max(v, 1e-30)));
  const mean = l.reduce((a, b) => a + b, 0) / l.length;
  return l.map((v) => v - mean);
}

/** The rows whose fp32 top-1 logit leads the top-2 by at least twice the int8 logits' RMS error, and how many of them int8 agrees on. */
function clearMarginRows(fp32: readonly Float32Array[], int8: readonly Float32Array[]): { clear: number; agreeing: number } {
  let clear = 0;
  let agreeing = 0;
  fp32.forEach((p, r) => {
    const a = logitsOf(p);
    const b = logitsOf(int8[r]!);
    const [first, second] = [...a].sort((x, y) => y - x);
    const error = Math.sqrt(a.reduce((sum, v, i) => sum + (v - b[i]!) ** 2, 0) / a.length);
    if (first! - second! < 2 * error) return;
    clear += 1;
    if (a.indexOf(first!) === b.indexOf(Math.max(...b))) agreeing += 1;
  });
  return { clear, agreeing };
}

for (const bounds of CASES) {
  test(`int8 agrees with fp32 on held-out views of real photos and on generated images (residual gamma ${bounds.residualGamma})`, async () => {
    const photos = await photoTensors();
    const weights = await photoCalibratedWeights(photos, 42, bounds.residualGamma);
    const calibrationRows = await photoTensors(['whole', 'flip']);
    const heldOut = [...(await photoTensors(['center-crop', 'corner-crop', 'flip-crop'])), ...(await generatedTensors(10))];
    const calibration = await RangeCalibration.open(weights);
    let ranges;
    try {
      await calibration.add(calibrationRows);
      ranges = calibration.result();
    } finally {
      await calibration.close();
    }
    const fp32 = await localSession(buildResnet50Onnx(weights));
    const int8 = await localSession(buildResnet50Qdq(weights, ranges, 'symmetric'));
    try {
      const reference = await predictRows(fp32, heldOut);
      const quantized = await predictRows(int8, heldOut);
      const report = compareProbabilities(reference, quantized);
      const margins = clearMarginRows(reference, quantized);
      console.log(
        `# residual gamma ${bounds.residualGamma}, ${report.rows} held-out rows: top-1 ${report.top1Agreement}, top-5 ${report.top5Overlap}, ` +
          `mean KL ${report.meanKl}; int8 agrees on ${margins.agreeing} of the ${margins.clear} rows with a clear fp32 margin`,
      );
      assert.equal(report.rows, 40);
      assert.ok(report.top1Agreement >= bounds.top1, `top-1 agreement ${report.top1Agreement}`);
      assert.ok(report.top5Overlap >= bounds.top5, `top-5 overlap ${report.top5Overlap}`);
      assert.ok(report.meanKl <= bounds.kl, `mean KL ${report.meanKl}`);
      if (bounds.clearRows !== null) {
        assert.ok(margins.clear >= bounds.clearRows, `${margins.clear} rows with a clear margin`);
        assert.equal(margins.agreeing, margins.clear, 'int8 keeps every top class that fp32 holds by a clear margin');
      }
    } finally {
      await fp32.release();
      await int8.release();
    }
  });
}

test('the photo views differ: a flip and a crop are other images than the photo', async () => {
  const [file] = photoFiles();
  const whole = await pixelsOf(await photoView(file!, 'whole'));
  for (const view of ['flip', 'center-crop'] as const) {
    const other = await pixelsOf(await photoView(file!, view));
    assert.equal(other.length, whole.length);
    assert.ok(other.some((v, i) => Math.abs(v - whole[i]!) > 32), view);
  }
});

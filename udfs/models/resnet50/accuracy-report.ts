// How far the int8 model's probabilities are from fp32's on the same rows: top-1 agreement (the same
// most likely class), top-5 overlap (the share of fp32's five most likely classes among int8's five),
// and the mean Kullback-Leibler divergence KL(fp32 || int8) in nats.

export interface AccuracyReport {
  readonly rows: number;
  readonly top1Agreement: number;
  readonly top5Overlap: number;
  readonly meanKl: number;
}

export function compareProbabilities(reference: readonly Float32Array[], quantized: readonly Float32Array[]): AccuracyReport {
  if (reference.length !== quantized.length) throw new Error(`${reference.length} reference rows but ${quantized.length} quantized rows`);
  let top1 = 0;
  let top5 = 0;
  let kl = 0;
  reference.forEach((p, r) => {
    const q = quantized[r]!;
    const pTop = topK(p, 5);
    const qTop = topK(q, 5);
    if (pTop[0] === qTop[0]) top1 += 1;
    top5 += pTop.filter((c) => qTop.includes(c)).length / pTop.length;
    kl += klDivergence(p, q);
  });
  const n = reference.length;
  return { rows: n, top1Agreement: n === 0 ? NaN : top1 / n, top5Overlap: n === 0 ? NaN : top5 / n, meanKl: n === 0 ? NaN : kl / n };
}

/** E.g. `top-1 agreement 98.0%, top-5 overlap 99.2%, mean KL 0.0031 (50 held-out rows)`. */
export function accuracyText(report: AccuracyReport): string {
  if (report.rows === 0) return 'not measured: no rows were held out from calibration (the query gave one row)';
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return (
    `top-1 agreement ${pct(report.top1Agreement)}, top-5 overlap ${pct(report.top5Overlap)}, ` +
    `mean KL ${report.meanKl.toPrecision(2)} vs fp32 (${report.rows} held-out row${report.rows === 1 ? '' : 's'})`
  );
}

/** Indices of the k largest values, largest first. */
function topK(values: Float32Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (top.length === k && values[i]! <= values[top[k - 1]!]!) continue;
    let at = Math.min(top.length, k - 1);
    while (at > 0 && values[top[at - 1]!]! < values[i]!) at -= 1;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}

/** Probabilities that int8 rounds to 0 where fp32 has mass count with this floor, not as infinity. */
const FLOOR = 1e-12;

function klDivergence(p: Float32Array, q: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    if (pi > 0) sum += pi * Math.log(pi / Math.max(q[i]!, FLOOR));
  }
  return sum;
}

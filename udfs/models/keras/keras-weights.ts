// A Keras model's weights in memory, by layer name and weight name, as Keras stores them (kernels HWIO
// for Conv2D, [in, out] for Dense), plus the expected layout a file is checked against.

export interface KerasTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Weights of one layer by short name: 'kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance'. */
export type KerasLayerWeights = ReadonlyMap<string, KerasTensor>;

/** Weights of a model by layer name. */
export type KerasWeights = ReadonlyMap<string, KerasLayerWeights>;

export interface KerasWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface KerasLayerSpec {
  readonly name: string;
  /** In Keras's order for the layer (the order of its `weight_names`). */
  readonly weights: readonly KerasWeightSpec[];
}

/** Thrown for a weights file that cannot be used: missing, not HDF5, truncated, or the wrong layout. */
export class WeightsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WeightsError';
  }
}

export function kerasWeight(weights: KerasWeights, layer: string, name: string): KerasTensor {
  const tensor = weights.get(layer)?.get(name);
  if (tensor === undefined) throw new WeightsError(`Keras weights have no '${name}' for layer '${layer}'`);
  return tensor;
}

/** Throws naming the first layer or weight that is missing or has the wrong shape. */
export function checkKerasWeights(weights: KerasWeights, expected: readonly KerasLayerSpec[]): void {
  for (const spec of expected) {
    const layer = weights.get(spec.name);
    if (layer === undefined) throw new WeightsError(`Keras weights have no layer '${spec.name}'`);
    for (const want of spec.weights) {
      const tensor = layer.get(want.name);
      if (tensor === undefined) throw new WeightsError(`Keras weights have no '${want.name}' for layer '${spec.name}'`);
      const size = want.shape.reduce((a, b) => a * b, 1);
      if (!sameShape(tensor.shape, want.shape) || tensor.data.length !== size) {
        throw new WeightsError(
          `Keras weights: layer '${spec.name}' weight '${want.name}' has shape [${tensor.shape.join(', ')}]` +
            ` and ${tensor.data.length} values, expected [${want.shape.join(', ')}]`,
        );
      }
    }
  }
}

/** The short name Keras gives a weight path: 'conv1_conv/kernel:0' -> 'kernel'. */
export function kerasWeightShortName(weightPath: string): string {
  const last = weightPath.slice(weightPath.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 ? last : last.slice(0, colon);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

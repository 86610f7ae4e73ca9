// Keras's default kernel initializer: uniform in +-sqrt(6 / (fan_in + fan_out)), where a conv kernel's
// fans count its receptive field (kh * kw * channels).

import { fillUniform, type Random } from '../../seeded-random.js';

export function glorotUniform(shape: readonly number[], random: Random): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = (shape.length >= 2 ? (shape[shape.length - 2] as number) : size) * receptive;
  const fanOut = (shape.length >= 2 ? (shape[shape.length - 1] as number) : size) * receptive;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return fillUniform(random, new Float32Array(size), -limit, limit);
}

// A small deterministic PRNG (mulberry32): the same seed gives the same sample images and the same random
// model weights on every machine.

export type Random = () => number;

/** Uniform numbers in [0, 1) from `seed`. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max]. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Fills `out` with numbers uniform in [low, high). */
export function fillUniform(random: Random, out: Float32Array, low: number, high: number): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * random();
  return out;
}

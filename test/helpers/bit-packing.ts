// Bit-packing as Parquet's RLE / bit-packed hybrid encoding stores values, done bit by bit: the reference
// the decoders' tests pack their inputs with.

/** Packs `values` of `width` bits, least significant bit first, between `at` and `spare` bytes of filler (0xa5). */
export function pack(values: readonly number[], width: number, at: number, spare: number): Uint8Array {
  const bytes = new Uint8Array(at + (values.length * width) / 8 + spare).fill(0xa5);
  bytes.fill(0, at, at + (values.length * width) / 8);
  values.forEach((value, i) => {
    for (let b = 0; b < width; b++) {
      if (Math.floor(value / 2 ** b) % 2 === 1) {
        const bit = i * width + b;
        bytes[at + (bit >>> 3)]! |= 1 << (bit & 7);
      }
    }
  });
  return bytes;
}

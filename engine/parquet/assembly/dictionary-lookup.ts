// AssemblyScript, compiled into page-kernels.wasm by `npm run build`: dictionary-encoded values, which
// are most of a dictionary page's decode time (an image's 150,528 indices, each unpacked and looked up).
// The same loop in JS took about 10 ns an index: V8 keeps a bounds check on every typed-array access.
// dictionary-values.ts does everything else (RLE runs, run headers, streaming the page's bytes).

/** The index `lookupPacked` last stopped at. */
let stoppedIndex: u32 = 0;

export function badIndex(): u32 {
  return stoppedIndex;
}

/**
 * Looks up the bit-packed indices at positions [from, to) of a run that starts at address `ip` (`width`
 * bits each, at most 32, least significant bit first) in the `size` values of `valueBytes` bytes (1, 4 or
 * 8) at `dictionary`, and writes the value of position i at `op + i * valueBytes`. Returns `to`, or the
 * position of the first index that is not below `size` (kept for `badIndex`), where it stops. An index is
 * read as 8 bytes from its first byte: the caller keeps 8 bytes beyond the run.
 */
export function lookupPacked(ip: u32, width: u32, from: u32, to: u32, dictionary: u32, size: u32, op: u32, valueBytes: u32): u32 {
  const mask: u64 = ((<u64>1) << width) - 1;
  let bit: u32 = from * width;
  if (valueBytes == 4) {
    for (let i = from; i < to; i++, bit += width) {
      const index = <u32>((load<u64>(ip + (bit >> 3)) >> (bit & 7)) & mask);
      if (index >= size) return stop(index, i);
      store<u32>(op + (i << 2), load<u32>(dictionary + (index << 2)));
    }
  } else if (valueBytes == 8) {
    for (let i = from; i < to; i++, bit += width) {
      const index = <u32>((load<u64>(ip + (bit >> 3)) >> (bit & 7)) & mask);
      if (index >= size) return stop(index, i);
      store<u64>(op + (i << 3), load<u64>(dictionary + (index << 3)));
    }
  } else {
    for (let i = from; i < to; i++, bit += width) {
      const index = <u32>((load<u64>(ip + (bit >> 3)) >> (bit & 7)) & mask);
      if (index >= size) return stop(index, i);
      store<u8>(op + i, load<u8>(dictionary + index));
    }
  }
  return to;
}

function stop(index: u32, at: u32): u32 {
  stoppedIndex = index;
  return at;
}

// AssemblyScript, compiled into page-kernels.wasm by `npm run build`: the snappy decoder's common case
// (short elements whose bytes are all in hand), which is most of a float page's decode time. The page
// stream decodes 600 to 645 MB/s with it against 420 with the same loop in JS (the bench's image page): V8
// keeps a bounds check on every typed-array access, which the caller's bounds make needless here.
// snappy-decoder.ts does everything else.

/** Where the input stood when `decodeElements` last returned: the first element it did not decode. */
let stoppedInput: u32 = 0;

export function inputPosition(): u32 {
  return stoppedInput;
}

/**
 * Decodes whole elements from input address `ip` into output address `op`, while `ip < ipEnd` and
 * `op <= opEnd`, and returns the output address reached. The caller keeps 72 input bytes beyond `ipEnd`
 * and 72 output bytes beyond `opEnd`, so literals and copies go 8 bytes at a time (4 for offsets below 8)
 * and may read and write up to 7 bytes past their end (bytes the next elements overwrite). It stops at an element it leaves to its
 * caller: a literal longer than 60 bytes, a 4-byte offset, an offset below 4 (its words would read
 * bytes the copy has yet to write), and a copy reaching before `windowStart` or more than `reach` bytes
 * back, which the caller refuses with a PageFault.
 */
export function decodeElements(ip: u32, ipEnd: u32, op: u32, opEnd: u32, windowStart: u32, reach: u32): u32 {
  while (ip < ipEnd && op <= opEnd) {
    const tag: u32 = load<u8>(ip);
    const kind = tag & 3;
    if (kind == 0) {
      const length = (tag >> 2) + 1;
      if (length > 60) break;
      ip += 1;
      const stop = op + length;
      while (op < stop) {
        store<u64>(op, load<u64>(ip));
        op += 8;
        ip += 8;
      }
      ip -= op - stop;
      op = stop;
      continue;
    }
    if (kind == 3) break;
    const length: u32 = kind == 1 ? ((tag >> 2) & 7) + 4 : (tag >> 2) + 1;
    const offset: u32 = kind == 1 ? ((tag >> 5) << 8) | <u32>load<u8>(ip + 1) : <u32>load<u16>(ip + 1);
    // offset - 1 wraps to 2^32 - 1 for 0: one test refuses both 0 and a reach before the window's start.
    if (offset - 1 >= op - windowStart || offset > reach || offset < 4) break;
    ip += kind + 1;
    // From at least 8 (4) bytes back, an 8-byte (4-byte) word never reads bytes this copy has yet to write.
    let from = op - offset;
    const stop = op + length;
    if (offset >= 8) {
      while (op < stop) {
        store<u64>(op, load<u64>(from));
        op += 8;
        from += 8;
      }
    } else {
      while (op < stop) {
        store<u32>(op, load<u32>(from));
        op += 4;
        from += 4;
      }
    }
    op = stop;
  }
  stoppedInput = ip;
  return op;
}

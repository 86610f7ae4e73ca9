// Checks that a file is a whole HDF5 file before handing it to the HDF5 library, whose own failures are
// a page of diagnostics on stderr. Reads the superblock: the signature, and the end-of-file address the
// writer recorded, which a truncated download or copy falls short of.

import { open } from 'node:fs/promises';
import { WeightsError } from './keras-weights.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const HEADER_BYTES = 64;

export async function checkHdf5File(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(error);
    throw new WeightsError(`cannot read weights file '${path}': ${why}`, { cause: error });
  }
  try {
    const size = (await handle.stat()).size;
    // The superblock sits at 0, or at 512, 1024, 2048, ... after a user block.
    for (let offset = 0; offset + SIGNATURE.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      const header = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, offset);
      if (!SIGNATURE.every((b, i) => header[i] === b)) continue;
      const end = recordedEndOfFile(header.subarray(0, bytesRead));
      if (end === null) throw new WeightsError(`weights file '${path}' is truncated: its HDF5 superblock is incomplete`);
      if (offset + end > size) {
        throw new WeightsError(
          `weights file '${path}' is truncated: it has ${size} bytes, its HDF5 header says ${offset + end}` +
            ' (an interrupted download or copy?)',
        );
      }
      return;
    }
    throw new WeightsError(`weights file '${path}' is not an HDF5 file (no HDF5 signature in its ${size} bytes)`);
  } finally {
    await handle.close();
  }
}

/** The end-of-file address relative to the superblock, or null when the header is cut short. */
function recordedEndOfFile(header: Buffer): number | null {
  if (header.length < 16) return null;
  const version = header[8] as number;
  let offsetSize: number;
  let eofAt: number;
  if (version <= 1) {
    offsetSize = header[13] as number;
    // Version 0: fixed fields end at 24; version 1 adds 4 bytes (indexed storage K and reserved).
    const base = version === 0 ? 24 : 28;
    eofAt = base + 2 * offsetSize; // after the base address and the free-space address
  } else {
    offsetSize = header[9] as number;
    eofAt = 12 + 2 * offsetSize; // after the base address and the superblock extension address
  }
  if (eofAt + offsetSize > header.length || offsetSize < 1 || offsetSize > 8) return null;
  let value = 0;
  for (let i = offsetSize - 1; i >= 0; i--) value = value * 256 + (header[eofAt + i] as number);
  return value;
}

// A model's bytes in a deleted temporary file, reachable as /proc/self/fd/N (Linux). onnxruntime reads a
// worker's session from it: from shared memory it would first need a private copy of the bytes in every
// worker (onnxruntime-node refuses a view of shared memory), 100 MB of ResNet-50 held until that worker's
// next garbage collection. The file is unlinked as soon as it is made, so it goes with its descriptor,
// even when the process is killed.
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ModelFile {
  /** The path onnxruntime opens: /proc/self/fd/N. */
  readonly path: string;
  /** Closes the descriptor, which frees the file. Idempotent. */
  close(): void;
}

let made = 0;

/** The bytes in such a file; null where there is no /proc/self/fd, or the file cannot be written. */
export function modelFile(bytes: SharedArrayBuffer): ModelFile | null {
  if (process.platform !== 'linux') return null;
  const name = join(tmpdir(), `sqlinfer-model-${process.pid}-${++made}.onnx`);
  let fd: number | null = null;
  try {
    fd = openSync(name, 'wx', 0o600);
    unlinkSync(name);
    const view = new Uint8Array(bytes);
    for (let at = 0; at < view.length; ) at += writeSync(fd, view, at);
  } catch {
    if (fd !== null) {
      closeSync(fd);
      try {
        unlinkSync(name);
      } catch {
        // Already unlinked: the failure came later, from the write.
      }
    }
    return null;
  }
  const own = fd;
  let open = true;
  return {
    path: `/proc/self/fd/${own}`,
    close() {
      if (!open) return;
      open = false;
      closeSync(own);
    },
  };
}

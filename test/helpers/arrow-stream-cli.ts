// Runs `sqlinfer --arrow-stream` with bytes on stdin and reads back its stdout as Arrow record batches.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { RecordBatch, RecordBatchReader, RecordBatchStreamWriter, type Schema } from 'apache-arrow';
import { cliPath } from './cli.js';

export interface ArrowRun {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export function runArrowStream(args: readonly string[], input: Uint8Array, timeoutMs = 60_000): Promise<ArrowRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, '--arrow-stream', ...args], { cwd: tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sqlinfer --arrow-stream ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    // sqlinfer stops reading at a fatal error: the rest of the input is not its concern.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** An Arrow IPC stream of `batches`, all of `schema` (by default the first batch's). */
export function arrowStream(batches: readonly RecordBatch[], schema: Schema = batches[0]!.schema): Uint8Array {
  const writer = new RecordBatchStreamWriter().reset(undefined, schema);
  for (const batch of batches) writer.write(batch);
  writer.finish();
  return writer.toUint8Array(true);
}

/** The schema and record batches of an Arrow IPC stream, and whether it ended with the end-of-stream marker. */
export function readArrowStream(bytes: Uint8Array): { schema: Schema; batches: RecordBatch[]; ended: boolean } {
  const reader = RecordBatchReader.from(bytes).open();
  // Read before the batches: the reader forgets its schema once it reaches the end.
  const schema = reader.schema;
  // A stream without batches reads as one placeholder batch, of a subclass of RecordBatch.
  const batches = [...reader].filter((b) => Object.getPrototypeOf(b) === RecordBatch.prototype);
  const tail = bytes.subarray(bytes.length - 8);
  const ended = bytes.length >= 8 && tail.every((b, i) => b === (i < 4 ? 0xff : 0));
  return { schema, batches, ended };
}

// Batch buffers handed back by the model runtime once a worker has run their rows, for the reader's next
// batches. A fresh buffer per batch (7.8 MB for 13 rows of ResNet-50's input) is zero-filled memory the
// kernel maps page by page: 18 600 page faults on the main thread for 256 images, against 600 to 2 300
// with the buffers reused, and the external memory that made V8 collect every few batches.
import { allocateValues, elementBytes, valuesOver, type ElementType, type TensorValues } from '../../udfs/index.js';

/**
 * Buffers kept for reuse at most. A buffer waits here only from its worker's reply to the next batch's
 * read, so a few suffice; past this, the oldest goes (e.g. one too small for longer rows).
 */
const KEEP = 16;

export class RecycledBuffers {
  private readonly idle: ArrayBuffer[] = [];
  private closed = false;

  /**
   * `length` values of `element` from the start of a buffer given back, when one holds them without
   * wasting more than half of it; else over a new buffer. A reused buffer still holds an earlier batch's
   * values: the caller writes every value it gives out.
   */
  values(element: ElementType, length: number): TensorValues {
    const bytes = elementBytes(element) * length;
    const fits = this.idle.findIndex((buffer) => buffer.byteLength >= bytes && buffer.byteLength <= 2 * bytes);
    if (fits < 0) return allocateValues(element, length);
    const [buffer] = this.idle.splice(fits, 1);
    return valuesOver(element, buffer!, 0, length);
  }

  /** Takes back a buffer whose values nobody reads any more (a worker handed it back with its result). */
  readonly giveBack = (buffer: ArrayBuffer): void => {
    if (this.closed || buffer.byteLength === 0) return;
    this.idle.push(buffer);
    if (this.idle.length > KEEP) this.idle.shift();
  };

  /** Drops the buffers: the statement is over, and later ones given back are dropped too. */
  close(): void {
    this.closed = true;
    this.idle.length = 0;
  }
}

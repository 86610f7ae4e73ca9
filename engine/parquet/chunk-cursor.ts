/** Decoded bytes handed out of the chunks a library yields: the chunk in hand and how much of it is taken. */
export class ChunkCursor {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;

  /** True when the chunk in hand is all taken. */
  get empty(): boolean {
    return this.pos >= this.chunk.length;
  }

  hold(chunk: Uint8Array): void {
    this.chunk = chunk;
    this.pos = 0;
  }

  /** Copies the chunk's next bytes into `target` (as many as fit); their count. */
  take(target: Uint8Array): number {
    const n = Math.min(target.length, this.chunk.length - this.pos);
    target.set(this.chunk.subarray(this.pos, this.pos + n));
    this.pos += n;
    return n;
  }
}

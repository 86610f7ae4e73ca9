/** The decoded bytes of one compressed page, produced on demand (the codec-specific half of a decompressing stream). */
export interface PageDecoder {
  /** Writes the next decoded bytes at the start of `target` (never more than target.length); resolves their count, 0 only once the page is decoded and its compressed bytes are all used. */
  read(target: Uint8Array): Promise<number>;
  /** Releases what the decoder holds. Idempotent. */
  close(): void;
}

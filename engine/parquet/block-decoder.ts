import type { ByteStream } from './byte-stream.js';
import { CompressedInput } from './compressed-input.js';
import { HistoryWindow } from './history-window.js';
import type { PageDecoder } from './page-decoder.js';

/** Buffer sizes of a block decoder: compressed input read at a time, history kept, output area beyond it. */
export interface BlockDecoderSizes {
  readonly input: number;
  readonly history: number;
  readonly area: number;
}

/** Buffers a decoder allocates itself (of the sizes `CompressedInput.bufferSize` and `HistoryWindow.size` give). */
export interface BlockDecoderBuffers {
  readonly input: Uint8Array;
  readonly window: Uint8Array;
}

/**
 * What the raw-block decoders (snappy, LZ4) share: compressed input in one reused buffer, output in a
 * history window, and the loop that hands out decoded bytes and asks for more. No library decodes a raw
 * block a piece at a time, and a page can be hundreds of megabytes, hence decoders of our own.
 */
export abstract class BlockDecoder implements PageDecoder {
  protected readonly input: CompressedInput;
  protected readonly window: HistoryWindow;
  private done = false;

  /** `sizes` overrides the codec's buffer sizes (tests use small ones to cross every boundary). */
  constructor(
    compressed: ByteStream,
    compressedLength: number,
    protected readonly uncompressedLength: number,
    sizes: BlockDecoderSizes,
    buffers?: BlockDecoderBuffers,
  ) {
    this.input = new CompressedInput(compressed, compressedLength, sizes.input, buffers?.input);
    this.window = new HistoryWindow(uncompressedLength, sizes.history, sizes.area, buffers?.window);
  }

  async read(target: Uint8Array): Promise<number> {
    const window = this.window;
    for (;;) {
      if (window.read < window.write) return window.take(target);
      if (this.done) return 0;
      if (window.write === window.bytes.length && window.produced < this.uncompressedLength) window.slide();
      this.done = await this.advance();
    }
  }

  close(): void {}

  /** Decodes more into the window, reading input when it needs to; true once the block is decoded and checked. */
  protected abstract advance(): Promise<boolean>;
}

// The pages of one column chunk, opened one after the other: each data page's levels in memory, its
// values as a decoder over the decompressing stream. Page headers are read with hyparquet.
import type { FileHandle } from 'node:fs/promises';
import type { ColumnMetaData, PageHeader } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import type { ElementType, TensorValues } from '../../udfs/index.js';
import { allocateValues } from '../../udfs/index.js';
import { fileRangeStream, type ByteStream } from './byte-stream.js';
import { decompressingStream, type CompressionCodec } from './codecs.js';
import { convertInto, sourceBytes, sourceView } from './element-conversion.js';
import { DictionaryValues } from './dictionary-values.js';
import { bitWidth, LevelRuns } from './hybrid-runs.js';
import type { ListLeaf } from './list-leaf.js';
import { PageFault } from './page-fault.js';
import { ByteStreamSplitValues, PlainValues, type ValueDecoder } from './value-decoders.js';

/** A data page: its levels, read run by run, and its values. */
export interface DataPage {
  readonly rep: LevelRuns;
  readonly def: LevelRuns;
  readonly values: ValueDecoder;
}

/** Page headers are small; this much is read to parse one, more if it does not fit. */
const HEADER_BYTES = 1 << 12;

export class ColumnPages {
  private offset: number;
  private readonly end: number;
  private dictionary: TensorValues | null = null;

  constructor(
    private readonly file: FileHandle,
    private readonly meta: ColumnMetaData,
    private readonly leaf: ListLeaf,
    private readonly target: ElementType,
  ) {
    const dictionaryAt = meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
    const dataAt = Number(meta.data_page_offset);
    // Some writers put 0 for "no dictionary page".
    this.offset = dictionaryAt !== undefined && dictionaryAt > 0 && dictionaryAt < dataAt ? dictionaryAt : dataAt;
    this.end = this.offset + Number(meta.total_compressed_size);
  }

  /** The next data page, or null after the last. */
  async next(): Promise<DataPage | null> {
    for (;;) {
      if (this.offset >= this.end) return null;
      const { header, size } = await this.readHeader();
      const body = this.offset + size;
      const bodyLength = header.compressed_page_size;
      if (body + bodyLength > this.end) throw new PageFault(`a page of ${bodyLength} bytes runs past the column chunk's end`);
      this.offset = body + bodyLength;
      switch (header.type) {
        case 'DICTIONARY_PAGE':
          await this.readDictionary(header, body);
          continue;
        case 'DATA_PAGE':
          return this.openV1(header, body);
        case 'DATA_PAGE_V2':
          return this.openV2(header, body);
        default:
          continue;
      }
    }
  }

  private async readHeader(): Promise<{ header: PageHeader; size: number }> {
    for (let want = HEADER_BYTES; ; want *= 4) {
      const length = Math.min(want, this.end - this.offset);
      const bytes = new Uint8Array(length);
      const { bytesRead } = await this.file.read(bytes, 0, length, this.offset);
      const reader = { view: new DataView(bytes.buffer, 0, bytesRead), offset: 0 };
      try {
        const header = parquetHeader(reader) as PageHeader;
        if (header.compressed_page_size === undefined || header.uncompressed_page_size === undefined) throw new PageFault('a page header lacks its sizes');
        return { header, size: reader.offset };
      } catch (error) {
        if (error instanceof PageFault) throw error;
        if (bytesRead < length || length === this.end - this.offset) throw new PageFault(`a page header cannot be read (${error instanceof Error ? error.message : String(error)})`);
      }
    }
  }

  private codecStream(offset: number, compressed: number, uncompressed: number, isCompressed = true): ByteStream {
    const raw = fileRangeStream(this.file, offset, compressed);
    return isCompressed ? decompressingStream(this.meta.codec as CompressionCodec, raw, compressed, uncompressed) : raw;
  }

  private async readDictionary(header: PageHeader, body: number): Promise<void> {
    const count = header.dictionary_page_header?.num_values ?? 0;
    const encoding = header.dictionary_page_header?.encoding;
    if (encoding !== 'PLAIN' && encoding !== 'PLAIN_DICTIONARY') throw new PageFault(`the dictionary page is ${encoding ?? 'of no encoding'}, not PLAIN`);
    const size = sourceBytes(this.leaf.values);
    if (count * size > header.uncompressed_page_size) throw new PageFault(`the dictionary page holds ${header.uncompressed_page_size} bytes for ${count} values`);
    const stream = this.codecStream(body, header.compressed_page_size, header.uncompressed_page_size);
    try {
      const bytes = new Uint8Array(count * size);
      await stream.readInto(bytes);
      const dictionary = allocateValues(this.target, count);
      convertInto(dictionary, 0, sourceView(this.leaf.values, bytes.buffer, 0, count));
      this.dictionary = dictionary;
    } finally {
      stream.close();
    }
  }

  private async openV1(header: PageHeader, body: number): Promise<DataPage> {
    const page = header.data_page_header!;
    const open = () => this.codecStream(body, header.compressed_page_size, header.uncompressed_page_size);
    const stream = open();
    try {
      let used = 0;
      const section = async (max: number, encoding: string, what: string): Promise<LevelRuns> => {
        if (max === 0) return new LevelRuns(new Uint8Array(0), 0, page.num_values, what).start();
        if (encoding !== 'RLE') throw new PageFault(`the ${what} are ${encoding}-encoded, which sqlinfer does not read`);
        const prefix = new Uint8Array(4);
        await stream.readInto(prefix);
        const length = new DataView(prefix.buffer).getUint32(0, true);
        if (used + 4 + length > header.uncompressed_page_size) throw new PageFault(`the ${what} claim ${length} bytes, more than the page holds`);
        const bytes = new Uint8Array(length);
        await stream.readInto(bytes);
        used += 4 + length;
        return new LevelRuns(bytes, bitWidth(max), page.num_values, what).start();
      };
      const rep = await section(this.leaf.maxRep, page.repetition_level_encoding, 'repetition levels');
      const def = await section(this.leaf.maxDef, page.definition_level_encoding, 'definition levels');
      const valuesLength = header.uncompressed_page_size - used;
      const reopen = async () => {
        const s = open();
        await s.skip(used);
        return s;
      };
      const values = await this.decoder(page.encoding, stream, valuesLength, reopen, def, page.num_values);
      return { rep, def, values };
    } catch (error) {
      stream.close();
      throw error;
    }
  }

  private async openV2(header: PageHeader, body: number): Promise<DataPage> {
    const page = header.data_page_header_v2!;
    const repLength = page.repetition_levels_byte_length;
    const defLength = page.definition_levels_byte_length;
    const levels = new Uint8Array(repLength + defLength);
    await fileRangeStream(this.file, body, levels.length).readInto(levels);
    const rep = new LevelRuns(levels.subarray(0, repLength), bitWidth(this.leaf.maxRep), page.num_values, 'repetition levels').start();
    const def = new LevelRuns(levels.subarray(repLength), bitWidth(this.leaf.maxDef), page.num_values, 'definition levels').start();
    const compressed = header.compressed_page_size - levels.length;
    const uncompressed = header.uncompressed_page_size - levels.length;
    if (compressed < 0 || uncompressed < 0) throw new PageFault('the levels of a page are longer than the page');
    const open = () => this.codecStream(body + levels.length, compressed, uncompressed, page.is_compressed);
    const stream = open();
    try {
      const values = await this.decoder(page.encoding, stream, uncompressed, async () => open(), def, page.num_values);
      return { rep, def, values };
    } catch (error) {
      stream.close();
      throw error;
    }
  }

  private async decoder(
    encoding: string,
    stream: ByteStream,
    length: number,
    reopen: () => Promise<ByteStream>,
    def: LevelRuns,
    levels: number,
  ): Promise<ValueDecoder> {
    switch (encoding) {
      case 'PLAIN':
        return new PlainValues(stream, this.leaf.values, this.target);
      case 'PLAIN_DICTIONARY':
      case 'RLE_DICTIONARY': {
        if (this.dictionary === null) throw new PageFault('a dictionary-encoded page comes before any dictionary page');
        const width = new Uint8Array(1);
        await stream.readInto(width);
        if (width[0]! > 32) throw new PageFault(`the dictionary indices claim ${width[0]} bits each`);
        return new DictionaryValues(stream, length - 1, width[0]!, this.dictionary);
      }
      case 'BYTE_STREAM_SPLIT': {
        stream.close();
        const count = presentValues(def, this.leaf.maxDef, levels);
        const streams = await Promise.all(Array.from({ length: sourceBytes(this.leaf.values) }, () => reopen()));
        return ByteStreamSplitValues.open(streams, count, this.leaf.values);
      }
      default:
        throw new PageFault(`a page is ${encoding}-encoded, which sqlinfer does not read`);
    }
  }
}

/** Values present in a page: its definition levels at the maximum (counted on a copy of the runs). */
function presentValues(def: LevelRuns, maxDef: number, levels: number): number {
  const runs = def.copy();
  let count = 0;
  for (let left = levels; left > 0; ) {
    const n = runs.left;
    if (n === 0) throw new PageFault('the definition levels end early');
    if (runs.value === maxDef) count += n;
    left -= n;
    runs.take(n);
  }
  return count;
}

// The pages of a Parquet file, found with hyparquet (metadata, then each page's thrift header), for tests
// and benchmarks of the page reader: where each page's bytes lie and how its header describes them.
import { open } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import type { CompressionCodec } from '../../engine/parquet/codecs.js';

export interface PageRef {
  readonly rowGroup: number;
  readonly column: string;
  readonly codec: CompressionCodec;
  readonly type: string;
  /** File offset of the page's (compressed) bytes, just after its header. */
  readonly offset: number;
  readonly compressedLength: number;
  readonly uncompressedLength: number;
  /** For a v2 data page: its levels are stored before the values, never compressed; false when the values are not compressed either. */
  readonly v2?: { readonly levelBytes: number; readonly compressed: boolean };
}

export async function parquetPages(path: string): Promise<PageRef[]> {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
  const file = await open(path);
  try {
    const pages: PageRef[] = [];
    for (const [rowGroup, group] of metadata.row_groups.entries()) {
      for (const chunk of group.columns) {
        const meta = chunk.meta_data;
        if (meta === undefined) throw new Error(`${path}: a column chunk without metadata`);
        let at = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
        const end = at + Number(meta.total_compressed_size);
        while (at < end) {
          const head = new Uint8Array(Math.min(64 * 1024, end - at));
          await file.read(head, 0, head.length, at);
          const reader = { view: new DataView(head.buffer), offset: 0 };
          const header = parquetHeader(reader);
          const v2 = header.data_page_header_v2;
          pages.push({
            rowGroup,
            column: meta.path_in_schema.join('.'),
            codec: meta.codec,
            type: header.type,
            offset: at + reader.offset,
            compressedLength: header.compressed_page_size,
            uncompressedLength: header.uncompressed_page_size,
            ...(v2 && {
              v2: { levelBytes: v2.definition_levels_byte_length + v2.repetition_levels_byte_length, compressed: v2.is_compressed !== false },
            }),
          });
          at += reader.offset + header.compressed_page_size;
        }
      }
    }
    return pages;
  } finally {
    await file.close();
  }
}

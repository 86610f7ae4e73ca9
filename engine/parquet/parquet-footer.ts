// A Parquet file's footer (hyparquet parses the Thrift), and the plan-time check that a list column of
// every file can be read from its pages.
import { open, type FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, type FileMetaData } from 'hyparquet';
import type { ElementType } from '../../udfs/index.js';
import { codecUnsupported } from './codecs.js';
import { conversionUnsupported } from './element-conversion.js';
import { listLeaf } from './list-leaf.js';

export async function readFooter(handle: FileHandle, path: string): Promise<FileMetaData> {
  const { size } = await handle.stat();
  const buffer = {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(end - start);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
      if (bytesRead !== bytes.length) throw new Error(`${path} ends at byte ${start + bytesRead}`);
      return bytes.buffer;
    },
  };
  try {
    return await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new Error(`${path} is not a Parquet file sqlinfer can read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** A file as the plan saw it: reading it later checks it is still the same. */
export interface PlannedFile {
  readonly size: number;
  readonly mtimeMs: number;
}

const readEncodings = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE', 'BYTE_STREAM_SPLIT']);

/**
 * Whether column `column` of each of `paths` can be read from its pages as `element` values: the files
 * as they are now (to be checked again when read) and the column's bytes per row on average, or why not,
 * naming the first file that cannot. `scanType` is the column's type in DuckDB's scan of all the files
 * (e.g. `FLOAT[]`): DuckDB casts each file's elements to it before the model's conversion, so a file
 * whose elements are of another type would give other numbers from its pages.
 */
export async function inspectTensorColumn(
  paths: readonly string[],
  column: string,
  element: ElementType,
  scanType: string,
): Promise<{ readonly files: ReadonlyMap<string, PlannedFile>; readonly rowBytes: number } | { readonly reason: string }> {
  const files = new Map<string, PlannedFile>();
  let bytes = 0;
  let rows = 0;
  for (const path of paths) {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch {
      return { reason: `${path} cannot be opened here` };
    }
    try {
      const { size, mtimeMs } = await handle.stat();
      const metadata = await readFooter(handle, path);
      const leaf = listLeaf(metadata, column);
      if ('reason' in leaf) return { reason: `in ${path}, ${leaf.reason}` };
      if (`${leaf.duckdbType}[]` !== scanType.replace(/\[\d+\]$/, '[]').toUpperCase()) {
        return { reason: `in ${path}, ${column} is ${leaf.duckdbType}[], which DuckDB's scan of the files casts to ${scanType}` };
      }
      const conversion = conversionUnsupported(leaf.values, element);
      if (conversion !== null) return { reason: `in ${path}, ${conversion}` };
      for (const group of metadata.row_groups) {
        const chunk = group.columns.find((c) => samePath(c.meta_data?.path_in_schema, leaf.path));
        if (chunk?.meta_data === undefined || chunk.file_path !== undefined) return { reason: `in ${path}, the column's pages are not in the file` };
        const codec = codecUnsupported(chunk.meta_data.codec);
        if (codec !== null) return { reason: `in ${path}, ${codec}` };
        const encoding = chunk.meta_data.encodings.find((e) => !readEncodings.has(e));
        if (encoding !== undefined) return { reason: `in ${path}, ${column} is ${encoding}-encoded, which sqlinfer does not read` };
        bytes += Number(chunk.meta_data.total_uncompressed_size);
        rows += Number(group.num_rows);
      }
      files.set(path, { size, mtimeMs });
    } catch (error) {
      return { reason: error instanceof Error ? error.message : String(error) };
    } finally {
      await handle.close();
    }
  }
  return { files, rowBytes: rows === 0 ? 0 : bytes / rows };
}

/** Whether a column chunk's path in the schema is `path`, name by name (names may hold dots). */
export function samePath(chunkPath: readonly string[] | undefined, path: readonly string[]): boolean {
  return chunkPath !== undefined && chunkPath.length === path.length && chunkPath.every((name, i) => name === path[i]);
}

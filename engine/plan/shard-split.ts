// `--shard I/N`: which rows of a model stage's input shard I of N reads. The input is the sequence of
// rows DuckDB reads, file after file in its own order; shard I gets one contiguous run of it, so reading
// the parts in shard order gives the rows in the one-machine order, and every row lands in exactly one
// shard. The cuts depend only on the files' metadata (rows and row groups from the Parquet footers, bytes
// of blobs), so every machine and every retry computes the same split.

export interface ShardSpec {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
}

/** One file of the input, in the order DuckDB reads it. */
export interface ShardFile {
  readonly path: string;
  /** Rows in the file: from the Parquet metadata, 1 for a blob. */
  readonly rows: number;
  /** Rows of each row group in order (Parquet); a blob is one group of one row. */
  readonly rowGroups: readonly number[];
  /** Bytes on disk and the modification time: what the plan's fingerprint records of the file. */
  readonly bytes: number;
  readonly modifiedMs: number;
}

/** What a shard balances: rows (Parquet) or bytes (blobs, whose rows cost as much as they weigh). */
export type ShardWeight = 'rows' | 'bytes';

/** A file's part in a shard: rows [from, to) of it. */
export interface ShardFileRange extends ShardFile {
  readonly from: number;
  readonly to: number;
}

export interface ShardRange {
  /** Rows [start, end) of the whole input, counted across files in order. */
  readonly start: number;
  readonly end: number;
  /** The files it reads, in input order; a file cut by the range is read from `from` to `to`. */
  readonly files: readonly ShardFileRange[];
}

/**
 * The largest part may exceed an even share by this factor before a finer cut is used: whole files are
 * preferred (each shard reads its own files), then whole row groups, then exact row counts.
 */
const SLACK = 1.25;

/** Shard `spec.index`'s rows of `files`. */
export function shardRange(files: readonly ShardFile[], spec: ShardSpec, weight: ShardWeight): ShardRange {
  const cuts = shardCuts(files, spec.count, weight);
  const start = cuts[spec.index]!;
  const end = cuts[spec.index + 1]!;
  const ranges: ShardFileRange[] = [];
  let offset = 0;
  for (const file of files) {
    const from = Math.max(start, offset) - offset;
    const to = Math.min(end, offset + file.rows) - offset;
    if (from < to) ranges.push({ ...file, from, to });
    offset += file.rows;
  }
  return { start, end, files: ranges };
}

/** The N+1 row positions that bound the N shards: 0, ..., total rows. */
export function shardCuts(files: readonly ShardFile[], count: number, weight: ShardWeight): number[] {
  const total = files.reduce((sum, f) => sum + f.rows, 0);
  // A blob is one row: shards are cut between files, nearest an even share of the bytes.
  if (weight === 'bytes') return nearestCuts(fileBoundaries(files), blobWeights(files), count, total);
  const rowsAt = (position: number) => position;
  const share = Math.ceil(total / count);
  for (const candidates of [fileBoundaries(files), groupBoundaries(files)]) {
    const cuts = nearestCuts(candidates, rowsAt, count, total);
    if (largestPart(cuts) <= SLACK * share) return cuts;
  }
  // Exact row counts: the parts differ by one row at most.
  return Array.from({ length: count + 1 }, (_, i) => Math.floor((i * total) / count));
}

function fileBoundaries(files: readonly ShardFile[]): number[] {
  const positions = [0];
  let offset = 0;
  for (const file of files) {
    offset += file.rows;
    positions.push(offset);
  }
  return positions;
}

function groupBoundaries(files: readonly ShardFile[]): number[] {
  const positions = [0];
  let offset = 0;
  for (const file of files) {
    let inFile = 0;
    for (const rows of file.rowGroups) {
      inFile += rows;
      positions.push(offset + Math.min(inFile, file.rows));
    }
    offset += file.rows;
    positions.push(offset);
  }
  return positions;
}

/** Bytes before each row position, a blob being one row (at least 1 byte, so empty files still spread). */
function blobWeights(files: readonly ShardFile[]): (position: number) => number {
  const prefix = [0];
  for (const file of files) {
    for (let row = 0; row < file.rows; row++) prefix.push(prefix.at(-1)! + Math.max(1, file.bytes / file.rows));
  }
  return (position) => prefix[position]!;
}

/** For each i in 1..N-1, the candidate position whose weight is nearest i/N of the total (the lower on a tie). */
function nearestCuts(candidates: readonly number[], weightAt: (position: number) => number, count: number, total: number): number[] {
  const totalWeight = weightAt(total);
  const cuts = [0];
  for (let i = 1; i < count; i++) {
    const target = (i * totalWeight) / count;
    let lo = 0;
    let hi = candidates.length - 1;
    // The first candidate whose weight reaches the target.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (weightAt(candidates[mid]!) >= target) hi = mid;
      else lo = mid + 1;
    }
    const above = candidates[lo]!;
    const below = candidates[Math.max(0, lo - 1)]!;
    const nearest = target - weightAt(below) <= weightAt(above) - target ? below : above;
    cuts.push(Math.max(cuts.at(-1)!, nearest));
  }
  cuts.push(total);
  return cuts;
}

function largestPart(cuts: readonly number[]): number {
  let largest = 0;
  for (let i = 1; i < cuts.length; i++) largest = Math.max(largest, cuts[i]! - cuts[i - 1]!);
  return largest;
}

/** `part-00003-of-00016`: five digits, more when N needs them, so names sort in shard order. */
export function shardName(spec: ShardSpec): string {
  const width = Math.max(5, String(spec.count - 1).length);
  return `${String(spec.index).padStart(width, '0')}-of-${String(spec.count).padStart(width, '0')}`;
}

// EXPLAIN ANALYZE's figures: rows and milliseconds measured per stage, keyed as explainRows() keys its
// rows (`stage 1`, `input 1.1`, `model 1.1`, `output`), and the plan's rows with them filled in.
import type { AnalyzedRow, ExplainRow } from '../plan/explain-plan.js';

interface Figure {
  readonly rows: number;
  readonly ms: number | null;
}

export class StageFigures {
  private readonly figures = new Map<string, Figure>();
  /**
   * What each level's first batch waited for, in ms from the start of the stages: DuckDB's first rows,
   * and the first batch going to the model (its values read).
   */
  private readonly firstRows = new Map<string, { readonly rows: number | null; readonly batch: number | null }>();
  /** Per level that wrote its results out as they outgrew memory: the parts and their bytes. */
  private readonly spills = new Map<string, { readonly parts: number; readonly bytes: number }>();
  private loadedAfterMs: number | null = null;
  private modelRows = 0;

  add(key: string, rows: number, ms: number | null): void {
    this.figures.set(key, { rows, ms });
  }

  /** A level of `calls` calls that read `rows` rows: the model ran on rows x calls. */
  addLevel(id: string, calls: number, rows: number, ms: number, firstRowsMs: number | null, firstBatchMs: number | null): void {
    this.figures.set(`input ${id}`, { rows, ms: null });
    this.figures.set(`model ${id}`, { rows, ms });
    this.firstRows.set(id, { rows: firstRowsMs, batch: firstBatchMs });
    this.modelRows += rows * calls;
  }

  spilled(id: string, parts: number, bytes: number): void {
    if (parts > 0) this.spills.set(id, { parts, bytes });
  }

  /** How a level's results were kept, when they were written out; null when they stayed in memory. */
  spill(id: string): string | null {
    const spill = this.spills.get(id);
    if (spill === undefined) return null;
    return `written to temp_directory as they came: ${spill.parts} part${spill.parts === 1 ? '' : 's'}, ${(spill.bytes / 1e6).toFixed(1)} MB of results`;
  }

  loaded(afterMs: number | null): void {
    this.loadedAfterMs = afterMs;
  }

  get(key: string | undefined): Figure | undefined {
    return key === undefined ? undefined : this.figures.get(key);
  }

  /** After a level's last model row: what its first batch waited for (the load is told once). */
  waits(id: string, first: boolean): string {
    const at = this.firstRows.get(id);
    const waits =
      at?.rows == null
        ? ['no input rows']
        : [`first input rows after ${Math.round(at.rows)} ms`, ...(at.batch === null ? [] : [`first batch to the model after ${Math.round(at.batch)} ms`])];
    if (first && this.loadedAfterMs !== null) waits.push(`models loaded after ${Math.round(this.loadedAfterMs)} ms`);
    return waits.join(', ');
  }

  get totalModelRows(): number {
    return this.modelRows;
  }
}

export function analyzedRows(rows: readonly ExplainRow[], figures: StageFigures): AnalyzedRow[] {
  const out: AnalyzedRow[] = [];
  let firstLevel = true;
  rows.forEach((row, i) => {
    const figure = figures.get(row.measures);
    out.push({ stage: row.stage, detail: row.detail, rows: figure?.rows ?? null, ms: figure?.ms ?? null });
    const level = /^model (.+)$/.exec(row.measures ?? '')?.[1];
    // The waits line follows the level's last call.
    if (level !== undefined && rows[i + 1]?.measures !== row.measures) {
      out.push({ stage: row.stage.replace('model', 'waits'), detail: figures.waits(level, firstLevel), rows: null, ms: null });
      const spill = figures.spill(level);
      if (spill !== null) out.push({ stage: row.stage.replace('model', 'results'), detail: spill, rows: null, ms: null });
      firstLevel = false;
    }
  });
  out.push({ stage: 'total', detail: `the model ran on ${figures.totalModelRows} rows`, rows: figures.totalModelRows, ms: null });
  return out;
}

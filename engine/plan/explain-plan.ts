// EXPLAIN for model statements: the stages as rows (stage, detail), and with ANALYZE the rows each
// stage produced and its time. Returned as a VALUES query so it renders like any other result.
import { batchRows, type ModelSettings } from '../../udfs/index.js';
import { renderOutput, type ModelPlan } from './model-plan.js';
import { quoteString } from './sql-text.js';

export interface ExplainRow {
  readonly stage: string;
  readonly detail: string;
  /**
   * The figures EXPLAIN ANALYZE puts on this row: `stage N` (the relation read), `input N.L` and
   * `model N.L` (a level), `output`.
   */
  readonly measures?: string;
}

export interface AnalyzedRow extends ExplainRow {
  readonly rows: number | null;
  readonly ms: number | null;
}

export function explainRows(plan: ModelPlan, settings: Pick<ModelSettings, 'batchSize' | 'threads'>): ExplainRow[] {
  const rows: ExplainRow[] = [];
  for (const stage of plan.stages) {
    const n = stage.id;
    rows.push({ stage: `relation ${n}`, detail: stage.relation });
    rows.push({ stage: `filter ${n}`, detail: stage.pushedWhere.length === 0 ? 'none pushed' : stage.pushedWhere.join(' AND ') });
    rows.push({ stage: `limit ${n}`, detail: stage.limit.reason });
    const staged = stage.stage.streamed ? `the columns read later, with row keys, as input ${n} streams; ${stage.stage.sql}` : stage.stage.sql;
    rows.push({ stage: `stage ${n}`, detail: staged, measures: `stage ${n}` });
    for (const level of stage.levels) {
      rows.push({ stage: `input ${n}`, detail: level.inputSql, measures: `input ${level.id}` });
      for (const column of level.inputColumns) {
        const source = column.source;
        if (source === undefined) continue;
        const files = 'pages' in source ? source.pages.files.size : 0;
        const how =
          'pages' in source
            ? `read from Parquet pages (${files} file${files === 1 ? '' : 's'})`
            : 'arrow' in source
              ? `read from the Arrow batch's buffers (column ${source.arrow.column})`
              : `read by DuckDB: ${source.duckdb}`;
        rows.push({ stage: `argument ${n}`, detail: `${source.text}: ${how}`, ...('duckdb' in source ? {} : { measures: `read ${level.id}` }) });
      }
      for (const call of level.calls) {
        const reuse = call.occurrences > 1 ? `, computed once for ${call.occurrences} uses` : '';
        const guard = call.guard === null ? '' : `; only where ${call.guard}`;
        rows.push({
          stage: `model ${n}`,
          detail: `${call.text} -> ${level.table}.${call.column}${reuse}${guard}; batch ${batchRows(call.fn, settings)}, threads ${settings.threads}; ${call.fn.description}`,
          measures: `model ${level.id}`,
        });
      }
    }
  }
  rows.push({ stage: 'output', detail: renderOutput(plan), measures: 'output' });
  return rows;
}

/** A query returning `rows`; with ANALYZE the rows and ms columns too. */
export function explainSql(rows: readonly (ExplainRow | AnalyzedRow)[], analyzed: boolean): string {
  const value = (v: number | null) => (v === null ? 'NULL' : String(Math.round(v)));
  const tuples = rows.map((r) => {
    const cells = [quoteString(r.stage), quoteString(r.detail)];
    if (analyzed) cells.push(value((r as AnalyzedRow).rows), value((r as AnalyzedRow).ms));
    return `(${cells.join(', ')})`;
  });
  const columns = analyzed ? 'stage, detail, "rows", ms' : 'stage, detail';
  const casts = analyzed ? 'stage, detail, CAST("rows" AS BIGINT) AS "rows", CAST(ms AS BIGINT) AS ms' : 'stage, detail';
  return `SELECT ${casts} FROM (VALUES ${tuples.join(', ')}) AS plan(${columns})`;
}

// Under SET model_errors = 'null': the rows each call gave NULL because they failed, kept as a count and
// the first few reasons, for the one summary line the user gets at the end of the statement.
import type { RowFailure } from '../../udfs/index.js';
import type { RelationStage } from '../plan/model-plan.js';

/** Reasons quoted in the summary line; the count covers every failed row. */
const REASONS_SHOWN = 3;

interface CallFailures {
  failed: number;
  rows: number;
  readonly first: { readonly stage: RelationStage; readonly failure: RowFailure }[];
}

export class RowFailureSummary {
  private readonly calls = new Map<string, CallFailures>();

  /** Failed rows of `call` (its text), in input order. */
  add(call: string, stage: RelationStage, failures: readonly RowFailure[]): void {
    const entry = this.entry(call);
    entry.failed += failures.length;
    for (const failure of failures) if (entry.first.length < REASONS_SHOWN) entry.first.push({ stage, failure });
  }

  /** Failed rows of all calls (a row failing in two calls counts twice). */
  get failedRows(): number {
    return [...this.calls.values()].reduce((sum, entry) => sum + entry.failed, 0);
  }

  /** Rows the calls ran over, for "N of M rows". */
  rowsRead(calls: readonly string[], rows: number): void {
    for (const call of calls) this.entry(call).rows += rows;
  }

  /** One line per call that had failed rows; `rowName` names a row (its position, and filename when known). */
  async notices(rowName: (stage: RelationStage, row: number) => Promise<string>): Promise<string[]> {
    const lines: string[] = [];
    for (const [call, entry] of this.calls) {
      if (entry.failed === 0) continue;
      const reasons: string[] = [];
      for (const { stage, failure } of entry.first) reasons.push(`${await rowName(stage, failure.row)}: ${failure.reason}`);
      const more = entry.failed > entry.first.length ? `; ${entry.failed - entry.first.length} more` : '';
      const rows = `${entry.failed} of ${entry.rows} row${entry.rows === 1 ? '' : 's'}`;
      lines.push(`${call}: ${rows} failed and gave NULL (model_errors = 'null'): ${reasons.join('; ')}${more}`);
    }
    return lines;
  }

  private entry(call: string): CallFailures {
    let entry = this.calls.get(call);
    if (entry === undefined) {
      entry = { failed: 0, rows: 0, first: [] };
      this.calls.set(call, entry);
    }
    return entry;
  }
}

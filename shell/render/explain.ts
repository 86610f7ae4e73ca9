// EXPLAIN in the boxed-table format. DuckDB's own plans arrive as (explain_key, explain_value) rows whose
// values are drawn already. Model statements' plans arrive as (stage, detail[, rows, ms]) rows, one per
// step; they are printed grouped by stage, each step's SQL wrapped to the terminal's width, and the model
// line split into the call, its threads and batch size, and the model.
import type { SqlValue, StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { visible } from './cell.js';
import type { RenderOptions } from './render-options.js';

const defaultWidth = 100;
const keyWidth = 10;

export function isExplain(statement: StreamedStatement): boolean {
  return isDuckDBExplain(statement) || isModelExplain(statement);
}

function isDuckDBExplain(statement: StreamedStatement): boolean {
  const names = statement.columns.map((c) => c.name);
  return names.length === 2 && names[0] === 'explain_key' && names[1] === 'explain_value';
}

function isModelExplain(statement: StreamedStatement): boolean {
  const names = statement.columns.map((c) => c.name).join(',');
  return /^\s*(?:--[^\n]*\n\s*)*explain\b/i.test(statement.sql) && (names === 'stage,detail' || names === 'stage,detail,rows,ms');
}

export async function renderExplain(statement: StreamedStatement, out: Output, options: RenderOptions): Promise<void> {
  const rows: (readonly SqlValue[])[] = [];
  for await (const chunk of statement.chunks()) rows.push(...chunk);
  if (isDuckDBExplain(statement)) {
    for (const row of rows) {
      const plan = String(row[1] ?? '');
      await out.write(visibleLines(plan.endsWith('\n') ? plan : `${plan}\n`));
    }
    return;
  }
  await out.write(visibleLines(modelPlanText(rows, options.width ?? defaultWidth)));
}

/** Plans show the query's string constants: their control characters are escaped, the plan's lines kept. */
function visibleLines(text: string): string {
  return text.split('\n').map(visible).join('\n');
}

/**
 * ```
 * stage 1
 *   relation   'images.parquet' AS images
 *   model      predict_resnet50(data) -> __sqlinfer_t1.__sqlinfer_m1
 *              batch 64, threads 2
 *              Keras ResNet-50 ...
 * output
 *   SELECT ...
 * ```
 * With ANALYZE, each step is followed by a `= 2 rows in 261 ms` line.
 */
export function modelPlanText(rows: readonly (readonly SqlValue[])[], width: number): string {
  let text = '';
  let group = '';
  for (const row of rows) {
    const stage = String(row[0] ?? '');
    const detail = String(row[1] ?? '');
    const m = /^(.*?) (\d+)$/.exec(stage);
    const [key, heading] = m === null ? ['', stage] : [m[1]!, `stage ${m[2]}`];
    if (heading !== group) {
      text += `${heading}\n`;
      group = heading;
    }
    const indent = key === '' ? '  ' : `  ${' '.repeat(keyWidth + 1)}`;
    const lines = (key === 'model' ? detail.split('; ') : [detail]).flatMap((part) => wrap(part, Math.max(20, width - indent.length)));
    // EXPLAIN ANALYZE: the rows the step produced and its time, on a line of their own.
    const stats = [row[2] == null ? '' : `${String(row[2])} rows`, row[3] == null ? '' : `${String(row[3])} ms`].filter((p) => p !== '');
    if (stats.length > 0) lines.push(`= ${stats.join(' in ')}`);
    text += lines.map((l, i) => (i === 0 && key !== '' ? `  ${key.padEnd(keyWidth)} ${l}` : `${indent}${l}`)).join('\n') + '\n';
  }
  return text;
}

/** Word-wraps at spaces; a word longer than the width gets a line of its own. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    // A word longer than a line (a long path) is cut where lines end.
    while (word.length > width) {
      if (line !== '') lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (word === '') continue;
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

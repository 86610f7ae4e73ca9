// The boxed table, after DuckDB's shell: column names and types, right-aligned numbers, NULL, long lists
// shortened, and a footer with the row count. It fits the terminal: the widest columns are cut with `…`,
// and columns that still do not fit are hidden and named in the footer. Widths are display widths (CJK
// and emoji take two columns), and control characters in values and names are shown escaped. Big results
// show their first and last rows only (`.maxrows`), so only those are held while the rows stream by.
import type { StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { cellText, displayWidth, isNumericType, pad, truncate, visible } from './cell.js';
import { isExplain, renderExplain } from './explain.js';
import type { RenderOptions } from './render-options.js';

/** Rows shown by default before the middle of a long result is elided (DuckDB's default, 40). */
export const defaultMaxRows = 40;
/** Lists longer than this are shortened to their first items and a count. */
const listWidth = 40;
/** Cells are kept up to this length, then columns are narrowed to fit the width. */
const maxCellLength = 1000;
/** The width to fit when the output is not a terminal. */
const defaultWidth = 160;
const minColumnWidth = 8;
/** The `…` column standing for hidden columns: 1 character plus its borders. */
const hiddenMarkWidth = 4;

export async function renderTable(statement: StreamedStatement, out: Output, options: RenderOptions): Promise<void> {
  if (isExplain(statement)) return renderExplain(statement, out, options);
  const { columns } = statement;
  const maxRows = options.maxRows ?? defaultMaxRows;
  const headSize = maxRows === 0 ? Infinity : Math.ceil(maxRows / 2);
  const tailSize = maxRows === 0 ? 0 : Math.floor(maxRows / 2);
  const head: string[][] = [];
  const tail: string[][] = [];
  let total = 0;
  for await (const chunk of statement.chunks()) {
    for (const row of chunk) {
      const cells = columns.map((c, i) => cellText(row[i] ?? null, c.duckdbType, listWidth, maxCellLength));
      total++;
      if (head.length < headSize) head.push(cells);
      else if (tailSize > 0) {
        tail.push(cells);
        if (tail.length > tailSize) tail.shift();
      }
    }
  }
  const names = columns.map((c) => visible(c.name));
  const types = columns.map((c) => visible(c.type.toLowerCase()));
  const shownRows = head.length + tail.length;
  const natural = columns.map((_, i) =>
    Math.max(1, ...[names[i]!, types[i]!, ...head.map((r) => r[i]!), ...tail.map((r) => r[i]!)].map(displayWidth)),
  );
  const { widths, shown } = fitWidths(natural, options.width ?? defaultWidth);
  const hidden = names.slice(shown);
  const mark = hidden.length > 0 ? ['…'] : [];
  const cut = (cells: readonly string[]) => [...cells.slice(0, shown).map((cell, i) => truncate(cell, widths[i]!)), ...mark];
  const allWidths = [...widths, ...mark.map(() => 1)];
  const right = columns.map((c) => isNumericType(c.duckdbType));
  const rule = (left: string, middle: string, end: string) => left + allWidths.map((w) => '─'.repeat(w + 2)).join(middle) + end + '\n';
  const line = (cells: readonly string[], align: (i: number) => 'left' | 'right' | 'center') =>
    '│' + cells.map((cell, i) => ` ${styled(pad(cell, allWidths[i]!, align(i)), cell, options)} `).join('│') + '│\n';
  const body = (rows: string[][]) => rows.map((r) => line(cut(r), (i) => (right[i] ? 'right' : 'left'))).join('');
  let text = rule('┌', '┬', '┐');
  text += line(cut(names), () => 'center');
  text += line(cut(types), () => 'center');
  text += rule('├', '┼', '┤');
  text += body(head);
  if (total > shownRows) text += line(allWidths.map(() => '·'), () => 'center');
  text += body(tail);
  text += rule('└', '┴', '┘');
  text += footer(total, shownRows, hidden, options) + '\n';
  await out.write(text);
}

/** `1000 rows (40 shown, 960 left out) · 2 columns hidden: a, b · 0.012 s` */
function footer(total: number, shownRows: number, hidden: readonly string[], options: RenderOptions): string {
  const parts = [`${total} ${total === 1 ? 'row' : 'rows'}${total > shownRows ? ` (${shownRows} shown, ${total - shownRows} left out)` : ''}`];
  if (hidden.length > 0) {
    const names = hidden.length <= 6 ? hidden.join(', ') : `${hidden.slice(0, 5).join(', ')}, … ${hidden.length - 5} more`;
    parts.push(`${hidden.length} ${hidden.length === 1 ? 'column' : 'columns'} hidden: ${names}`);
  }
  if (options.elapsedMs !== undefined) parts.push(secondsText(options.elapsedMs()));
  return parts.join(' · ');
}

export function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/**
 * Narrows the widest columns until the table fits `available` characters; when even the narrowest
 * columns do not fit, keeps the leading columns that do (at least one) and leaves room for a `…` column.
 */
function fitWidths(natural: readonly number[], available: number): { widths: number[]; shown: number } {
  const tableWidth = (widths: readonly number[]) => widths.reduce((sum, w) => sum + w + 3, 1);
  const floor = natural.map((w) => Math.min(w, minColumnWidth));
  let shown = natural.length;
  while (shown > 1 && tableWidth(floor.slice(0, shown)) + (shown < natural.length ? hiddenMarkWidth : 0) > available) shown--;
  const room = available - (shown < natural.length ? hiddenMarkWidth : 0);
  const widths = natural.slice(0, shown);
  let total = tableWidth(widths);
  while (total > room) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= minColumnWidth) break;
    // Shrink the widest column to the next widest (or as far as needed) in one step.
    const others = widths.filter((_, i) => i !== widest);
    const target = Math.max(minColumnWidth, Math.min(widths[widest]! - 1, Math.max(widths[widest]! - (total - room), ...others)));
    total -= widths[widest]! - target;
    widths[widest] = target;
  }
  return { widths, shown };
}

/** NULL is dimmed on a terminal so it stands apart from the string 'NULL'. */
function styled(padded: string, cell: string, options: RenderOptions): string {
  return options.color && cell === 'NULL' ? padded.replace('NULL', '\x1b[2mNULL\x1b[0m') : padded;
}

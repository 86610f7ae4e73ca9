// The boxed table, after DuckDB's shell: column names and types, right-aligned numbers, NULL, long lists
// shortened, and a footer with the row count. Big results show their first and last rows only, so only
// those are held while the rows stream by.
import type { StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { cellText, isNumericType, truncate } from './cell.js';
import type { RenderOptions } from './renderer.js';

/** Rows shown before the middle of a long result is elided (DuckDB's default, 40). */
const maxRows = 40;
/** Lists longer than this are shortened to their first items and a count. */
const listWidth = 40;
/** Cells are kept up to this length, then columns are narrowed to fit the width. */
const maxCellLength = 1000;
/** The width to fit when the output is not a terminal. */
const defaultWidth = 160;
const minColumnWidth = 8;

export async function renderTable(statement: StreamedStatement, out: Output, options: RenderOptions): Promise<void> {
  const { columns } = statement;
  if (isExplain(statement)) return renderExplain(statement, out);
  const head: string[][] = [];
  const tail: string[][] = [];
  let total = 0;
  for await (const chunk of statement.chunks()) {
    for (const row of chunk) {
      const cells = columns.map((c, i) => cellText(row[i] ?? null, c.duckdbType, listWidth, maxCellLength));
      total++;
      if (head.length < maxRows / 2) head.push(cells);
      else {
        tail.push(cells);
        if (tail.length > maxRows / 2) tail.shift();
      }
    }
  }
  const elided = total > maxRows;
  const natural = columns.map((c, i) =>
    Math.max(1, c.name.length, c.type.length, ...head.map((r) => r[i]!.length), ...tail.map((r) => r[i]!.length)),
  );
  const widths = fitWidths(natural, options.width ?? defaultWidth);
  const cut = (cells: readonly string[]) => cells.map((cell, i) => truncate(cell, widths[i]!));
  const names = cut(columns.map((c) => c.name));
  const types = cut(columns.map((c) => c.type.toLowerCase()));
  const [shownHead, shownTail] = [head.map(cut), tail.map(cut)];
  const right = columns.map((c) => isNumericType(c.duckdbType));
  const rule = (left: string, middle: string, end: string) => left + widths.map((w) => '─'.repeat(w + 2)).join(middle) + end + '\n';
  const line = (cells: readonly string[], align: (i: number) => 'left' | 'right' | 'center') =>
    '│' + cells.map((cell, i) => ` ${styled(pad(cell, widths[i]!, align(i)), cell, options)} `).join('│') + '│\n';
  let text = rule('┌', '┬', '┐') + line(names, () => 'center') + line(types, () => 'center') + rule('├', '┼', '┤');
  const body = (rows: string[][]) => rows.map((r) => line(r, (i) => (right[i] ? 'right' : 'left'))).join('');
  text += body(shownHead) + (elided ? line(widths.map(() => '·'), () => 'center') : '') + body(shownTail);
  text += rule('└', '┴', '┘');
  text += `${total} ${total === 1 ? 'row' : 'rows'}${elided ? ` (${head.length + tail.length} shown)` : ''}\n`;
  await out.write(text);
}

/** Narrows the widest columns until the table fits `available` characters (or no column can shrink). */
function fitWidths(natural: readonly number[], available: number): number[] {
  const widths = [...natural];
  let total = widths.reduce((sum, w) => sum + w + 3, 1);
  while (total > available) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= minColumnWidth) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

function pad(text: string, width: number, align: 'left' | 'right' | 'center'): string {
  const room = width - text.length;
  if (align === 'right') return ' '.repeat(room) + text;
  if (align === 'left') return text + ' '.repeat(room);
  const before = Math.floor(room / 2);
  return ' '.repeat(before) + text + ' '.repeat(room - before);
}

/** NULL is dimmed on a terminal so it stands apart from the string 'NULL'. */
function styled(padded: string, cell: string, options: RenderOptions): string {
  return options.color && cell === 'NULL' ? padded.replace('NULL', '\x1b[2mNULL\x1b[0m') : padded;
}

/** EXPLAIN returns (explain_key, explain_value) rows whose values are already drawn plans. */
function isExplain(statement: StreamedStatement): boolean {
  const names = statement.columns.map((c) => c.name);
  return names.length === 2 && names[0] === 'explain_key' && names[1] === 'explain_value';
}

async function renderExplain(statement: StreamedStatement, out: Output): Promise<void> {
  for await (const chunk of statement.chunks()) {
    for (const row of chunk) {
      const plan = String(row[1] ?? '');
      await out.write(plan.endsWith('\n') ? plan : `${plan}\n`);
    }
  }
}

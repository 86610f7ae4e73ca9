// A Markdown pipe table, streamed (cells are not padded): numbers right-aligned, `|` escaped, long lists
// shortened, BLOBs shown as their size and control characters escaped, as in the boxed table.
import type { StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { cellText, isNumericType, visible } from './cell.js';

const maxCellWidth = 80;

export async function renderMarkdown(statement: StreamedStatement, out: Output): Promise<void> {
  const { columns } = statement;
  const header = row(columns.map((c) => escape(visible(c.name))));
  const rule = row(columns.map((c) => (isNumericType(c.duckdbType) ? '---:' : '---')));
  await out.write(header + rule);
  for await (const chunk of statement.chunks()) {
    await out.write(
      chunk.map((r) => row(columns.map((c, i) => escape(cellText(r[i] ?? null, c.duckdbType, maxCellWidth))))).join(''),
    );
  }
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |\n`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}

// One `name = value` line per column, a blank line between rows (DuckDB's `.mode line`): for rows too
// wide for a table, so values are shown in full (whole lists, every digit), BLOBs as their size, and
// control characters escaped as in the table.
import type { StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { displayWidth, pad, visible } from './cell.js';
import { valueText } from './value-text.js';

export async function renderLines(statement: StreamedStatement, out: Output): Promise<void> {
  const { columns } = statement;
  const names = columns.map((c) => visible(c.name));
  const nameWidth = Math.max(0, ...names.map(displayWidth));
  const labels = names.map((name) => `${pad(name, nameWidth, 'right')} = `);
  let first = true;
  for await (const chunk of statement.chunks()) {
    let text = '';
    for (const row of chunk) {
      if (!first) text += '\n';
      first = false;
      columns.forEach((c, i) => {
        text += `${labels[i]}${visible(valueText(row[i] ?? null, c.duckdbType, { blobSize: true }))}\n`;
      });
    }
    await out.write(text);
  }
}

// One `name = value` line per column, a blank line between rows (DuckDB's `.mode line`): for rows too
// wide for a table. Lists are shortened and BLOBs shown as their size, as in the table.
import type { StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { cellText } from './cell.js';
import type { RenderOptions } from './renderer.js';

const defaultListWidth = 80;

export async function renderLines(statement: StreamedStatement, out: Output, options: RenderOptions): Promise<void> {
  const { columns } = statement;
  const nameWidth = Math.max(0, ...columns.map((c) => c.name.length));
  const listWidth = Math.max(20, (options.width ?? defaultListWidth + nameWidth + 3) - nameWidth - 3);
  let first = true;
  for await (const chunk of statement.chunks()) {
    let text = '';
    for (const row of chunk) {
      if (!first) text += '\n';
      first = false;
      columns.forEach((c, i) => {
        // Long strings stay whole: line mode is where a wide value can be read in full.
        text += `${c.name.padStart(nameWidth)} = ${cellText(row[i] ?? null, c.duckdbType, listWidth, Number.MAX_SAFE_INTEGER)}\n`;
      });
    }
    await out.write(text);
  }
}

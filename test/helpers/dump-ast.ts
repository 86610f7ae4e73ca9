// A compact, stable text rendering of a syntax tree: one node per line, indented, with its scalar
// fields and span. Used by the golden parser tests and handy when debugging the planner.
import type { Node } from '../../engine/sql/ast.js';
import { childrenOf } from '../../engine/sql/walk.js';

export function dumpAst(root: Node): string {
  const lines: string[] = [];
  const visit = (node: Node, depth: number): void => {
    const fields: string[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (key === 'kind' || key === 'span' || (typeof value === 'object' && value !== null)) continue;
      // Flags show only when set; a constant's value always shows (FALSE and NULL are values too).
      const constant = key === 'value' && (node.kind === 'Literal' || node.kind === 'IsBoolean');
      if ((value === null || value === false) && !constant) continue;
      fields.push(value === true && !constant ? key : `${key}=${JSON.stringify(value)}`);
    }
    const head = [node.kind, ...fields].join(' ');
    lines.push(`${'  '.repeat(depth)}${head} @${node.span.start}-${node.span.end}`);
    for (const child of childrenOf(node)) visit(child, depth + 1);
  };
  visit(root, 0);
  return lines.join('\n');
}

// A compact, stable text rendering of a syntax tree: one node per line, indented, with its scalar
// fields and span. Used by the golden parser tests and handy when debugging the planner.
import type { Node } from './ast.js';
import { childrenOf } from './walk.js';

export function dumpAst(root: Node): string {
  const lines: string[] = [];
  const visit = (node: Node, depth: number): void => {
    const fields: string[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (key === 'kind' || key === 'span' || value === null || value === false) continue;
      if (typeof value === 'object') continue;
      fields.push(value === true ? key : `${key}=${JSON.stringify(value)}`);
    }
    const head = [node.kind, ...fields].join(' ');
    lines.push(`${'  '.repeat(depth)}${head} @${node.span.start}-${node.span.end}`);
    for (const child of childrenOf(node)) visit(child, depth + 1);
  };
  visit(root, 0);
  return lines.join('\n');
}

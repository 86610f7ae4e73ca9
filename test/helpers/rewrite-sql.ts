// Re-emits SQL from a syntax tree by slicing the original source: each node's text is its children's
// texts joined by the source text between them. A replacer can substitute the text of chosen nodes
// (e.g. a model call by the column holding its result); everything else comes out exactly as written.
import type { Node } from '../../engine/sql/ast.js';
import { childrenOf } from '../../engine/sql/walk.js';

/** Text for `node`, or undefined to keep the node's own (recursively rewritten) text. */
export type NodeReplacer = (node: Node) => string | undefined;

export function rewriteSql(source: string, node: Node, replace: NodeReplacer = () => undefined): string {
  const replaced = replace(node);
  if (replaced !== undefined) return replaced;
  let out = '';
  let at = node.span.start;
  for (const child of childrenOf(node)) {
    out += source.slice(at, child.span.start);
    out += rewriteSql(source, child, replace);
    at = child.span.end;
  }
  return out + source.slice(at, node.span.end);
}

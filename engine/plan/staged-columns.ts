// Which of a relation's columns the rest of a statement reads, besides the model calls' arguments: those
// are the columns the staged rows must keep. Decided from the text; wherever the text leaves it open (a
// star, COLUMNS(...), USING, NATURAL), every column is kept.
import type { Node, Query, SelectCore } from '../sql/ast.js';
import type { Span } from '../sql/span.js';
import { childrenOf } from '../sql/walk.js';
import type { FromLeaf } from './from-leaves.js';

/**
 * The lower-case names of `leaf`'s columns (`columns`) that `core` and its query's ORDER BY read outside
 * `callSpans`, or 'all'.
 */
export function columnsReadOutside(
  core: SelectCore,
  query: Query | undefined,
  leaf: FromLeaf,
  columns: ReadonlySet<string>,
  callSpans: readonly Span[],
): ReadonlySet<string> | 'all' {
  if (core.fromFirst && core.items.length === 0) return 'all';
  const read = new Set<string>();
  const alias = leaf.alias?.toLowerCase();
  let all = false;
  const visit = (node: Node): void => {
    // The leaf's own text (a subquery's columns are its own) and the calls' arguments are not read later.
    if (all || node === leaf.node || callSpans.some((s) => s.start <= node.span.start && node.span.end <= s.end)) return;
    switch (node.kind) {
      case 'Star':
        // count(*) reads no column; any other star may read them all.
        all = true;
        return;
      case 'FunctionCall': {
        const name = node.name.parts.at(-1)!.name.toLowerCase();
        if (name === 'count' && node.args.length === 1 && node.args[0]!.value.kind === 'Star') {
          // Its FILTER, OVER and ORDER BY still read columns.
          for (const child of childrenOf(node)) if (child.kind !== 'FunctionArg') visit(child);
          return;
        }
        if (name === 'columns' || name === 'unpack') {
          all = true;
          return;
        }
        break;
      }
      case 'JoinedFrom':
        if (node.natural || node.using !== null) {
          all = true;
          return;
        }
        break;
      case 'GroupBy':
        // GROUP BY ALL groups by the select list: the refs there are the ones read.
        break;
      case 'ColumnRef': {
        const parts = node.parts.map((p) => p.name.toLowerCase());
        // The relation's name alone is its whole row.
        if (alias !== undefined && parts.length === 1 && parts[0] === alias && !columns.has(alias)) {
          all = true;
          return;
        }
        // `a.col`, `col`, `col.field`, `s.t.col`: any part that names a column of the leaf is read.
        for (const [i, part] of parts.entries()) {
          if (columns.has(part) && (i === 0 || parts[i - 1] === alias || i >= 2)) read.add(part);
        }
        return;
      }
    }
    for (const child of childrenOf(node)) visit(child);
  };
  visit(core);
  if (query !== undefined && query.body === core && query.orderBy !== null) visit(query.orderBy);
  return all ? 'all' : read;
}

/**
 * A reference to `leaf`'s whole row by its name (`SELECT t FROM t`, `to_json(t)`) in `core`, if any: the
 * staged rows carry sqlinfer's own columns, so such a row cannot be the relation's.
 */
export function wholeRowReference(core: SelectCore, leaf: FromLeaf, columns: ReadonlySet<string>): Node | null {
  const alias = leaf.alias?.toLowerCase();
  if (alias === undefined || columns.has(alias)) return null;
  const find = (node: Node): Node | null => {
    if (node === leaf.node) return null;
    if (node.kind === 'ColumnRef' && node.parts.length === 1 && node.parts[0]!.name.toLowerCase() === alias) return node;
    for (const child of childrenOf(node)) {
      const found = find(child);
      if (found !== null) return found;
    }
    return null;
  };
  return find(core);
}

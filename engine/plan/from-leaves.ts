// The relations ("leaves") a SELECT block reads: its FROM entries with joins taken apart. A leaf is what
// the model stage runs over; its name is the alias DuckDB binds it to, explicit or implicit.
import type { FromItem, SelectCore } from '../sql/ast.js';

export type LeafNode = Exclude<FromItem, { kind: 'JoinedFrom' }>;

export interface FromLeaf {
  readonly node: LeafNode;
  /** The name columns are qualified with; null when DuckDB gives the relation no usable name. */
  readonly alias: string | null;
  readonly explicitAlias: boolean;
  /**
   * Rows of this leaf may be padded with NULLs or matched by position or nearness (outer, positional and
   * ASOF joins): filtering the leaf early would change the join, so no WHERE conjunct is pushed into it.
   */
  readonly joinSensitive: boolean;
  /** LATERAL: its text refers to the leaves before it. */
  readonly lateral: boolean;
}

export function fromLeaves(core: SelectCore): FromLeaf[] {
  const leaves: FromLeaf[] = [];
  const visit = (item: FromItem, sensitive: boolean): void => {
    if (item.kind === 'JoinedFrom') {
      const positional = item.joinType === 'positional';
      const leftSensitive = positional || item.joinType === 'right' || item.joinType === 'full';
      const rightSensitive = positional || item.asof || item.joinType === 'left' || item.joinType === 'full';
      visit(item.left, sensitive || leftSensitive);
      visit(item.right, sensitive || rightSensitive);
      return;
    }
    if (item.kind === 'ParenthesizedFrom' && item.alias === null) {
      visit(item.item, sensitive);
      return;
    }
    leaves.push({
      node: item,
      alias: item.alias?.name.name ?? implicitAlias(item),
      explicitAlias: item.alias !== null,
      joinSensitive: sensitive,
      lateral: (item.kind === 'SubqueryRef' || item.kind === 'TableFunctionRef') && item.lateral,
    });
  };
  for (const item of core.from) visit(item, false);
  return leaves;
}

/** DuckDB's implicit names: a table's last name part, a table function's name, a file's base name. */
function implicitAlias(item: LeafNode): string | null {
  switch (item.kind) {
    case 'TableRef':
      return item.name.parts.at(-1)!.name;
    case 'TableFunctionRef':
      return item.call.name.parts.at(-1)!.name;
    case 'FileRef': {
      const path = String(item.path.value ?? '');
      // A glob's name is the whole pattern, which nobody writes as a qualifier.
      if (isGlob(path)) return null;
      const alias = fileAlias(path);
      return alias === '' ? null : alias;
    }
    case 'SubqueryRef':
      return 'unnamed_subquery';
    case 'ParenthesizedFrom':
    case 'OpaqueFrom':
      return null;
  }
}

/**
 * The name DuckDB gives `FROM 'path'`: a file's base name up to its first dot (`.x.parquet` is `x`), or a
 * glob's whole pattern.
 */
export function fileAlias(path: string): string {
  if (isGlob(path)) return path;
  const base = path.split(process.platform === 'win32' ? /[\\/]/ : '/').at(-1) ?? '';
  return base.split('.').find((piece) => piece !== '') ?? '';
}

/** DuckDB's glob characters (a brace is not one). */
function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

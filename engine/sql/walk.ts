// Exhaustive traversal of the syntax tree: every child of every node kind, in source order, so callers
// can find function calls, column references, stars and FROM items anywhere (CTEs, subqueries, joins,
// window specs, lambdas).
import type { Node, NodeKind, NodeOfKind } from './ast.js';

type Child = Node | null | undefined | readonly Node[];

/** The direct children of `node`, ordered by where they start in the source. */
export function childrenOf(node: Node): Node[] {
  const out: Node[] = [];
  for (const child of rawChildren(node)) {
    if (child === null || child === undefined) continue;
    if (isNodeArray(child)) out.push(...child);
    else out.push(child);
  }
  // Clauses can be written out of their logical order (OFFSET before LIMIT, FROM before SELECT).
  return out.sort((a, b) => a.span.start - b.span.start);
}

/**
 * Pre-order walk over `root` and all its descendants. Return false from `enter` to skip a node's
 * children.
 */
export function walk(root: Node, enter: (node: Node, parent: Node | null) => void | boolean): void {
  const visit = (node: Node, parent: Node | null): void => {
    if (enter(node, parent) === false) return;
    for (const child of childrenOf(node)) visit(child, node);
  };
  visit(root, null);
}

/** Every node of one kind under (and including) `root`, in source order. */
export function collect<K extends NodeKind>(root: Node, kind: K): NodeOfKind<K>[] {
  const found: NodeOfKind<K>[] = [];
  walk(root, (node) => {
    if (node.kind === kind) found.push(node as NodeOfKind<K>);
  });
  return found;
}

function isNodeArray(child: Node | readonly Node[]): child is readonly Node[] {
  return Array.isArray(child);
}

function rawChildren(node: Node): Child[] {
  switch (node.kind) {
    case 'Identifier':
    case 'TypeName':
    case 'SampleClause':
    case 'Literal':
    case 'Parameter':
    case 'PositionalReference':
    case 'DefaultValue':
      return [];
    case 'QualifiedName':
      return [node.parts];
    case 'SelectStatement':
      return [node.query];
    case 'CopyStatement':
      return [node.source, node.target, node.options];
    case 'CopyTable':
      return [node.table, node.columns];
    case 'CopyOptions':
      return [node.options];
    case 'CopyOption':
      return [node.name, node.value];
    case 'CreateTableAsStatement':
      return [node.name, node.columns, node.query];
    case 'InsertStatement':
      return [node.table, node.alias, node.columns, node.query, node.onConflict, node.returning];
    case 'OnConflict':
      return [node.target, node.targetWhere, node.set, node.where];
    case 'Assignment':
      return [node.column, node.value];
    case 'ExplainStatement':
      return [node.statement];
    case 'Query':
      return [node.with, node.body, node.orderBy, node.limit];
    case 'WithClause':
      return [node.ctes];
    case 'CommonTableExpression':
      return [node.name, node.columns, node.query];
    case 'SetOperation':
      return [node.left, node.right];
    case 'ParenthesizedQuery':
      return [node.query];
    case 'ValuesList':
      return [node.rows];
    case 'TableQuery':
      return [node.table];
    case 'ValuesRow':
      return [node.values];
    case 'SelectCore':
      return [
        node.distinct,
        node.items,
        node.from,
        node.where,
        node.groupBy,
        node.having,
        node.windows,
        node.qualify,
        node.sample,
      ];
    case 'Distinct':
      return [node.on];
    case 'SelectItem':
      return [node.expression, node.alias];
    case 'GroupBy':
      return [node.items];
    case 'GroupingSets':
      return [node.sets];
    case 'OrderBy':
      return [node.items];
    case 'OrderItem':
      return [node.expression];
    case 'LimitClause':
      return [node.limit, node.offset];
    case 'WindowDefinition':
      return [node.name, node.spec];
    case 'WindowSpec':
      return [node.baseName, node.partitionBy, node.orderBy, node.frame];
    case 'WindowFrame':
      return [node.start, node.end];
    case 'FrameBound':
      return [node.offset];
    case 'TableAlias':
      return [node.name, node.columns];
    case 'TableRef':
      return [node.name, node.alias, node.sample];
    case 'FileRef':
      return [node.path, node.alias, node.sample];
    case 'TableFunctionRef':
      return [node.call, node.alias, node.sample];
    case 'SubqueryRef':
      return [node.query, node.alias, node.sample];
    case 'JoinedFrom':
      return [node.left, node.right, node.on, node.using];
    case 'ParenthesizedFrom':
      return [node.item, node.alias];
    case 'OpaqueFrom':
      return [node.alias];
    case 'ColumnRef':
      return [node.parts];
    case 'TypedLiteral':
      return [node.type, node.value];
    case 'IntervalLiteral':
      return [node.value, node.unit];
    case 'FunctionArg':
      return [node.name, node.value];
    case 'FunctionCall':
      return [node.name, node.args, node.orderBy, node.filter, node.over];
    case 'Star':
      return [node.qualifier, node.exclude, node.replace, node.rename];
    case 'StarReplace':
      return [node.expression, node.name];
    case 'StarRename':
      return [node.column, node.name];
    case 'UnaryOp':
      return [node.operand];
    case 'BinaryOp':
      return [node.left, node.right];
    case 'Cast':
      return [node.expression, node.type];
    case 'CaseExpression':
      return [node.operand, node.whens, node.else];
    case 'CaseWhen':
      return [node.condition, node.result];
    case 'InList':
      return [node.expression, node.list];
    case 'InSubquery':
      return [node.expression, node.query];
    case 'Exists':
      return [node.query];
    case 'Between':
      return [node.expression, node.low, node.high];
    case 'Like':
      return [node.expression, node.pattern, node.escape];
    case 'IsNull':
      return [node.expression];
    case 'IsDistinctFrom':
      return [node.left, node.right];
    case 'IsBoolean':
      return [node.expression];
    case 'Lambda':
      return [node.params, node.body];
    case 'ListComprehension':
      return [node.element, node.variables, node.source, node.condition];
    case 'ListLiteral':
      return [node.items];
    case 'StructLiteral':
      return [node.fields];
    case 'StructField':
      return [node.name, node.value];
    case 'MapLiteral':
      return [node.entries];
    case 'MapEntry':
      return [node.key, node.value];
    case 'RowExpression':
      return [node.items];
    case 'Subscript':
      return [node.expression, node.index];
    case 'Slice':
      return [node.expression, node.start, node.end, node.step];
    case 'FieldAccess':
      return [node.expression, node.field];
    case 'ScalarSubquery':
      return [node.query];
    case 'Parenthesized':
      return [node.expression];
    case 'Collate':
      return [node.expression, node.collation];
    case 'AtTimeZone':
      return [node.expression, node.zone];
    default:
      return assertNever(node);
  }
}

function assertNever(node: never): never {
  throw new Error(`walk: unknown node kind ${(node as { kind: string }).kind}`);
}

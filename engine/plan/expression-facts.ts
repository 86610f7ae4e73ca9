// Questions the planner asks of an expression: which columns it reads, whether it calls a model, an
// aggregate, a window or a volatile function, whether it holds a subquery, and its AND-ed conjuncts.
import type { ColumnRef, Expression, Node, Star } from '../sql/ast.js';
import { childrenOf, walk } from '../sql/walk.js';
import { modelFunctionOf, type ModelRegistryView } from './model-calls.js';

/** Column references, without lambda parameters and without looking into subqueries. */
export function columnRefs(root: Node): ColumnRef[] {
  const refs: ColumnRef[] = [];
  const visit = (node: Node, params: ReadonlySet<string>): void => {
    switch (node.kind) {
      case 'ColumnRef':
        if (!(node.parts.length === 1 && params.has(node.parts[0]!.name.toLowerCase()))) refs.push(node);
        return;
      case 'Lambda': {
        const inner = new Set(params);
        for (const p of node.params) inner.add(p.name.toLowerCase());
        visit(node.body, inner);
        return;
      }
      case 'Query':
        return;
      default:
        for (const child of childrenOf(node)) visit(child, params);
    }
  };
  visit(root, new Set());
  return refs;
}

/** True when some node under `root` (not looking into subqueries unless asked) satisfies `test`. */
export function someNode(root: Node, test: (node: Node) => boolean, intoQueries = false): boolean {
  if (test(root)) return true;
  return childrenOf(root).some((child) => (child.kind === 'Query' && !intoQueries ? false : someNode(child, test, intoQueries)));
}

export function hasSubquery(root: Node): boolean {
  return someNode(root, (n) => n.kind === 'ScalarSubquery' || n.kind === 'Exists' || n.kind === 'InSubquery');
}

export function hasModelCall(root: Node, registry: ModelRegistryView): boolean {
  return someNode(root, (n) => n.kind === 'FunctionCall' && modelFunctionOf(n, registry) !== undefined, true);
}

const volatileFunctions = new Set(['random', 'gen_random_uuid', 'uuid', 'uuidv4', 'uuidv7', 'setseed', 'nextval', 'currval']);
const setReturningFunctions = new Set(['unnest', 'generate_subscripts']);

/** Calls whose result differs between two evaluations, so the two scans of a relation would not agree. */
export function hasVolatileCall(root: Node): boolean {
  return someNode(root, (n) => n.kind === 'FunctionCall' && volatileFunctions.has(lastName(n.name.parts)));
}

/** Calls that can return several rows per input row in a SELECT list. */
export function hasSetReturningCall(root: Node): boolean {
  return someNode(root, (n) => n.kind === 'FunctionCall' && setReturningFunctions.has(lastName(n.name.parts)));
}

export function hasWindowCall(root: Node): boolean {
  return someNode(root, (n) => n.kind === 'FunctionCall' && n.over !== null);
}

export function hasAggregateCall(root: Node, aggregates: ReadonlySet<string>): boolean {
  return someNode(root, (n) => n.kind === 'FunctionCall' && n.over === null && n.name.parts.length === 1 && aggregates.has(lastName(n.name.parts)));
}

export function hasParameter(root: Node): boolean {
  return someNode(root, (n) => n.kind === 'Parameter', true);
}

/** `a AND (b AND c)` -> [a, b, c]. */
export function conjuncts(expression: Expression): Expression[] {
  if (expression.kind === 'BinaryOp' && expression.operator.toUpperCase() === 'AND') {
    return [...conjuncts(expression.left), ...conjuncts(expression.right)];
  }
  if (expression.kind === 'Parenthesized') {
    const inner = conjuncts(expression.expression);
    return inner.length > 1 ? inner : [expression];
  }
  return [expression];
}

function lastName(parts: readonly { readonly name: string }[]): string {
  return parts.at(-1)!.name.toLowerCase();
}

/** The stars of `COLUMNS(*)` in an expression of this block (not in its subqueries): they expand like `*`. */
export function columnsStars(expression: Expression): Star[] {
  const stars: Star[] = [];
  walk(expression, (node) => {
    if (node.kind === 'Query') return false;
    if (node.kind === 'FunctionCall' && node.name.parts.length === 1 && node.name.parts[0]!.name.toLowerCase() === 'columns') {
      const arg = node.args[0]?.value;
      if (node.args.length === 1 && arg?.kind === 'Star') stars.push(arg);
    }
    return true;
  });
  return stars;
}

// Finds the model calls of a statement, checks each against its function's signature, and places it in
// the SELECT block whose rows it runs on. Calls where that is undefined (VALUES, LIMIT, COPY options, an
// ORDER BY over a set operation, a table function's arguments) are plan errors at the call.
import type { ArgSpec, ModelFunction, Registry } from '../../udfs/index.js';
import { modelCalls } from '../router.js';
import type { CaseExpression, Expression, FunctionCall, Node, Query, SelectCore, SelectItem } from '../sql/ast.js';
import { lexStatement } from '../sql/lexer.js';
import { sqlErrorAt, type SqlErrorCode } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import { childrenOf } from '../sql/walk.js';

/** What planning needs of the model function registry. */
export type ModelRegistryView = Pick<Registry, 'get' | 'has'>;

/** Where in its SELECT block a call sits. */
export type CallClause =
  | 'select'
  | 'where'
  | 'group-by'
  | 'having'
  | 'qualify'
  | 'window'
  | 'distinct'
  | 'order-by'
  | 'join-condition';

export interface ModelCallSite {
  readonly call: FunctionCall;
  readonly fn: ModelFunction;
  readonly core: SelectCore;
  readonly clause: CallClause;
  /** The queries around the call, innermost last: their WITH clauses are in scope. */
  readonly queries: readonly Query[];
  /** The model call this one is an argument of (directly or inside an expression). */
  readonly parent: ModelCallSite | null;
  /**
   * The conditions under which DuckDB evaluates the call at all (CASE branches, COALESCE, IF, the right
   * side of AND/OR), innermost last: every one must hold. Empty when the call is always evaluated.
   */
  readonly guards: readonly Guard[];
  /** Inside an aggregate's arguments: the call runs on the rows the aggregate reads. */
  readonly aggregated: boolean;
}

/** One condition of a call's evaluation: `expression` (compared with `equals` in a simple CASE) tested so. */
export interface Guard {
  readonly test: 'true' | 'not-true' | 'null' | 'not-false';
  readonly expression: Expression;
  /** A simple CASE's WHEN value: the condition is `expression = equals`. */
  readonly equals: Expression | null;
}

interface Context {
  readonly core: SelectCore | null;
  readonly clause: CallClause | 'values' | 'limit' | 'set-order-by' | 'from' | 'copy-options' | 'on-conflict' | 'returning' | 'none';
  readonly queries: readonly Query[];
  readonly parent: ModelCallSite | null;
  readonly guards: readonly Guard[];
  /** Inside a lambda or a list comprehension: names there may be its parameters, not columns. */
  readonly lambda: boolean;
  readonly aggregated: boolean;
}

/** The model function a call names, if any: single-part names only, case-insensitive. */
export function modelFunctionOf(call: FunctionCall, registry: ModelRegistryView): ModelFunction | undefined {
  if (call.name.parts.length !== 1) return undefined;
  const name = call.name.parts[0]!.name.toLowerCase();
  return registry.has(name) ? registry.get(name) : undefined;
}

/**
 * `aggregates`: the lower-case names of aggregate functions. A guard around an aggregate or a window
 * call does not say which rows it reads, so calls inside one are not guarded by it.
 */
export function findModelCalls(root: Node, registry: ModelRegistryView, source: string, aggregates: ReadonlySet<string>): ModelCallSite[] {
  const sites: ModelCallSite[] = [];
  const visit = (node: Node, ctx: Context): void => {
    switch (node.kind) {
      case 'Query':
        return visitQuery(node, ctx);
      case 'SelectCore':
        return visitCore(node, ctx);
      case 'ValuesList':
        return visitChildren(node, { ...ctx, core: null, clause: 'values' });
      case 'CopyOptions':
        return visitChildren(node, { ...ctx, clause: 'copy-options' });
      case 'OnConflict':
        return visitChildren(node, { ...ctx, core: null, clause: 'on-conflict' });
      case 'InsertStatement':
        for (const child of childrenOf(node)) {
          visit(child, node.returning?.includes(child as SelectItem) === true ? { ...ctx, core: null, clause: 'returning' } : ctx);
        }
        return;
      case 'OpaqueFrom': {
        // Kept as text by the parser: a model call inside is found in its tokens.
        const called = modelCalls(lexStatement(source.slice(node.body.start, node.body.end)).tokens, registry);
        if (called.length > 0) {
          throw sqlErrorAt('plan', 'model-call-placement', `${called.join(', ')} cannot be called inside ${node.construct}: call it in a SELECT over its rows`, source, node.body);
        }
        return visitChildren(node, ctx);
      }
      case 'JoinedFrom':
        for (const child of childrenOf(node)) {
          visit(child, child === node.on ? { ...ctx, clause: 'join-condition' } : ctx);
        }
        return;
      case 'CaseExpression':
        return visitCase(node, ctx);
      case 'BinaryOp': {
        if (node.operator !== 'AND' && node.operator !== 'OR') return visitChildren(node, ctx);
        visit(node.left, ctx);
        // DuckDB stops at a FALSE left side of AND and a TRUE left side of OR.
        return visit(node.right, guarded(ctx, { test: node.operator === 'AND' ? 'not-false' : 'not-true', expression: node.left, equals: null }));
      }
      case 'Lambda':
      case 'ListComprehension':
        return visitChildren(node, { ...ctx, lambda: true });
      case 'FunctionCall': {
        const fn = modelFunctionOf(node, registry);
        if (fn === undefined) return visitCall(node, ctx);
        const site = placeCall(node, fn, ctx, source);
        checkSignature(node, fn, source);
        sites.push(site);
        return visitChildren(node, { ...ctx, parent: site });
      }
      default:
        return visitChildren(node, ctx);
    }
  };
  const visitChildren = (node: Node, ctx: Context): void => {
    for (const child of childrenOf(node)) visit(child, ctx);
  };
  const visitCase = (node: CaseExpression, ctx: Context): void => {
    if (node.operand !== null) visit(node.operand, ctx);
    let before = ctx;
    for (const when of node.whens) {
      const condition = { expression: node.operand ?? when.condition, equals: node.operand === null ? null : when.condition };
      visit(when.condition, before);
      visit(when.result, guarded(before, { test: 'true', ...condition }));
      before = guarded(before, { test: 'not-true', ...condition });
    }
    if (node.else !== null) visit(node.else, before);
  };
  /** COALESCE, IFNULL and IF evaluate their later arguments only when the earlier ones call for it. */
  const visitCall = (node: FunctionCall, ctx: Context): void => {
    const name = node.name.parts.length === 1 ? node.name.parts[0]!.name.toLowerCase() : '';
    const args = node.args.map((a) => a.value);
    if (node.over !== null || node.filter !== null || node.orderBy !== null || node.distinct || aggregates.has(name)) {
      return visitChildren(node, { ...ctx, guards: [], aggregated: ctx.aggregated || (node.over === null && aggregates.has(name)) });
    }
    if (node.args.some((a) => a.name !== null)) return visitChildren(node, ctx);
    if (name === 'coalesce' || name === 'ifnull' || name === 'nvl') {
      let before = ctx;
      for (const arg of args) {
        visit(arg, before);
        before = guarded(before, { test: 'null', expression: arg, equals: null });
      }
      return;
    }
    if ((name === 'if' || name === 'iif') && args.length === 3) {
      visit(args[0]!, ctx);
      visit(args[1]!, guarded(ctx, { test: 'true', expression: args[0]!, equals: null }));
      visit(args[2]!, guarded(ctx, { test: 'not-true', expression: args[0]!, equals: null }));
      return;
    }
    visitChildren(node, ctx);
  };
  const visitQuery = (query: Query, outer: Context): void => {
    // A subquery's rows are its own: the guards around it do not say which of them DuckDB evaluates.
    const ctx: Context = { ...outer, queries: [...outer.queries, query], guards: [], lambda: false, aggregated: false };
    if (query.with !== null) visit(query.with, ctx);
    visit(query.body, ctx);
    if (query.orderBy !== null) {
      const core = query.body.kind === 'SelectCore' ? query.body : null;
      visit(query.orderBy, core === null ? { ...ctx, clause: 'set-order-by' } : { ...ctx, core, clause: 'order-by' });
    }
    if (query.limit !== null) visit(query.limit, { ...ctx, clause: 'limit' });
  };
  const visitCore = (core: SelectCore, outer: Context): void => {
    const ctx = (clause: Context['clause']): Context => ({ ...outer, core, clause });
    if (core.distinct !== null) visit(core.distinct, ctx('distinct'));
    for (const item of core.items) visit(item, ctx('select'));
    for (const item of core.from) visit(item, ctx('from'));
    if (core.where !== null) visit(core.where, ctx('where'));
    if (core.groupBy !== null) visit(core.groupBy, ctx('group-by'));
    if (core.having !== null) visit(core.having, ctx('having'));
    for (const w of core.windows) visit(w, ctx('window'));
    if (core.qualify !== null) visit(core.qualify, ctx('qualify'));
  };
  visit(root, { core: null, clause: 'none', queries: [], parent: null, guards: [], lambda: false, aggregated: false });
  return sites;
}

function guarded(ctx: Context, guard: Guard): Context {
  return { ...ctx, guards: [...ctx.guards, guard] };
}

function placeCall(call: FunctionCall, fn: ModelFunction, ctx: Context, source: string): ModelCallSite {
  const fail = (detail: string) => sqlErrorAt('plan', 'model-call-placement', detail, source, call.span);
  const name = fn.name;
  if (ctx.lambda) {
    throw fail(`${name} cannot be called inside a lambda or a list comprehension: the model runs on a column of rows, not on list elements (call it on a column, e.g. in a subquery over UNNEST)`);
  }
  switch (ctx.clause) {
    case 'values':
      throw fail(`${name} cannot run in a VALUES list: call it in a SELECT over the rows`);
    case 'limit':
      throw fail(`${name} cannot be used in LIMIT or OFFSET`);
    case 'set-order-by':
      throw fail(`${name} in the ORDER BY of a set operation is not supported: compute it in the SELECTs and order by the column`);
    case 'copy-options':
      throw fail(`${name} cannot be used in COPY options`);
    case 'on-conflict':
      throw fail(`${name} cannot be called in ON CONFLICT: it runs on the rows already in the table (compute the values in the INSERT's query)`);
    case 'returning':
      throw fail(`${name} cannot be called in RETURNING: call it in a SELECT over the rows the INSERT returns, or in the INSERT's query`);
    case 'from':
      throw fail(`${name} cannot be used in the arguments of a table function: call it in the SELECT list`);
    case 'none':
      throw fail(`${name} must be called inside a SELECT`);
    default:
      if (ctx.core === null) throw fail(`${name} must be called inside a SELECT`);
      return { call, fn, core: ctx.core, clause: ctx.clause, queries: ctx.queries, parent: ctx.parent, guards: ctx.guards, aggregated: ctx.aggregated };
  }
}

/** Arity, named arguments, modifiers, and the constant arguments' literals. */
function checkSignature(call: FunctionCall, fn: ModelFunction, source: string): void {
  const fail = (code: SqlErrorCode, detail: string, at = call.span) => sqlErrorAt('plan', code, detail, source, at);
  if (call.distinct || call.orderBy !== null || call.filter !== null || call.over !== null || call.ignoreNulls !== null) {
    throw fail('model-call-modifier', `${fn.name} is a model function: DISTINCT, ORDER BY, FILTER, IGNORE NULLS and OVER do not apply to it`);
  }
  if (call.syntax !== 'call') {
    throw fail('model-call-syntax', `${fn.name} must be called as ${fn.name}(...)`);
  }
  const min = fn.args.filter((a) => !a.optional).length;
  const max = fn.args.length;
  const found = call.args.length;
  if (found < min || found > max) {
    throw fail('model-call-arity', `${fn.name} expects ${arityText(min, max)}, found ${found}`);
  }
  const indexes = argSpecIndexes(call, fn, source);
  call.args.forEach((arg, i) => {
    const spec = fn.args[indexes[i]!]!;
    if (spec.constant) checkConstant(fn, spec, indexes[i]!, arg.value, source);
  });
}

/**
 * For each argument of the call, the position of its parameter in fn.args: positional arguments in order,
 * then named ones (`name := value`) by name, for functions that take named arguments.
 */
export function argSpecIndexes(call: FunctionCall, fn: ModelFunction, source: string): number[] {
  const fail = (code: SqlErrorCode, detail: string, at: Span) => sqlErrorAt('plan', code, detail, source, at);
  const taken = new Set<number>();
  let named = false;
  const indexes = call.args.map((arg, i) => {
    if (arg.name === null) {
      if (named) throw fail('model-call-named-argument', `${fn.name}: positional arguments must come before named ones`, arg.span);
      taken.add(i);
      return i;
    }
    if (fn.namedArgs !== true) {
      throw fail('model-call-named-argument', `${fn.name} takes positional arguments only, found the named argument ${arg.name.name}`, arg.span);
    }
    const index = fn.args.findIndex((a) => a.name.toLowerCase() === arg.name!.name.toLowerCase());
    if (index < 0) {
      throw fail('model-call-named-argument', `${fn.name} has no input named ${arg.name.name} (inputs: ${fn.args.map((a) => a.name).join(', ')})`, arg.name.span);
    }
    if (taken.has(index)) throw fail('model-call-named-argument', `${fn.name}: input ${fn.args[index]!.name} is given twice`, arg.span);
    taken.add(index);
    named = true;
    return index;
  });
  const missing = fn.args.findIndex((a, i) => !a.optional && !taken.has(i));
  if (missing >= 0) throw fail('model-call-arity', `${fn.name}: input ${fn.args[missing]!.name} is missing`, call.span);
  return indexes;
}

function checkConstant(fn: ModelFunction, spec: ArgSpec, index: number, value: Expression, source: string): void {
  const literal = constantValue(value);
  const where = `argument ${index + 1} (${spec.name}) of ${fn.name}`;
  if (literal === undefined) {
    throw sqlErrorAt('plan', 'model-call-constant-argument', `${where} must be a constant, e.g. a quoted string or a number`, source, value.span);
  }
  if (literal === null) return;
  const fits =
    (typeof literal === 'string' && spec.kinds.includes('varchar')) ||
    (typeof literal === 'number' && spec.kinds.includes('integer') && Number.isInteger(literal)) ||
    (typeof literal === 'boolean' && spec.kinds.includes('integer'));
  if (!fits) {
    throw sqlErrorAt('plan', 'model-call-argument-type', `${where} must be ${kindsText(spec)}, found ${typeof literal === 'string' ? `'${literal}'` : String(literal)}`, source, value.span);
  }
  if (typeof literal === 'string' && spec.values !== undefined && !spec.values.includes(literal.toLowerCase())) {
    const allowed = spec.values.map((v) => `'${v}'`);
    const list = `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
    throw sqlErrorAt('plan', 'model-call-argument-value', `${where} must be ${list}, found '${literal}'`, source, value.span);
  }
}

/** The value of a literal argument (a negated number too); undefined when it is not a literal. */
export function constantValue(value: Expression): string | number | boolean | null | undefined {
  if (value.kind === 'Literal') return value.value;
  if (value.kind === 'Parenthesized') return constantValue(value.expression);
  if (value.kind === 'UnaryOp' && (value.operator === '-' || value.operator === '+') && value.operand.kind === 'Literal') {
    const inner = value.operand.value;
    if (typeof inner === 'number') return value.operator === '-' ? -inner : inner;
  }
  return undefined;
}

function arityText(min: number, max: number): string {
  const noun = (n: number) => (n === 1 ? 'argument' : 'arguments');
  if (min === max) return `${min} ${noun(min)}`;
  if (max === min + 1) return `${min} or ${max} ${noun(max)}`;
  return `${min} to ${max} ${noun(max)}`;
}

export function kindsText(spec: ArgSpec): string {
  const names = { 'float-list': 'FLOAT[]', blob: 'BLOB', varchar: 'VARCHAR', integer: 'INTEGER', tensor: 'a number or a list of numbers' } as const;
  return spec.kinds.map((k) => names[k]).join(' or ');
}

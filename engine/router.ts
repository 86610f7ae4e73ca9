// Decides where each statement goes, from its tokens alone (no parse): sqlinfer's settings are handled
// by the engine, statements calling a registered model function take the model path, and everything
// else goes to DuckDB as written, so every DuckDB statement keeps working.
import type { Registry } from '../udfs/index.js';
import { isEngineSetting, type SettingValue } from './settings.js';
import { parseSettingStatement } from './sql/setting-syntax.js';
import { lexStatement, type LexedStatement, type Token, type TokenKind } from './sql/lexer.js';
import { isNameWord, notImplicitAliases } from './sql/keywords.js';
import { isModelStatement } from './sql/model-catalog-syntax.js';
import { SqlError } from './sql/sql-error.js';
import type { Span } from './sql/span.js';

/** What the engine needs of the model function registry (udfs' Registry, read only). */
export type ModelRegistry = Pick<Registry, 'has' | 'get' | 'list'>;

export type Route =
  | { readonly kind: 'duckdb' }
  /** `calls`: the registered names the statement calls, lower-case, in order of first appearance. */
  | { readonly kind: 'model'; readonly calls: readonly string[] }
  | { readonly kind: 'set-setting'; readonly name: string; readonly value: SettingValue; readonly valueSpan: Span }
  | { readonly kind: 'reset-setting'; readonly name: string }
  | { readonly kind: 'show-settings' }
  /** CREATE MODEL, DROP MODEL, SHOW MODELS, DESCRIBE MODEL (engine/sql/model-catalog-syntax.ts). */
  | { readonly kind: 'model-catalog' };

/** `lexed`: the statement's tokens when the caller has them already (see splitStatements). */
export function routeStatement(text: string, registry?: Pick<ModelRegistry, 'has'>, lexed: LexedStatement = lexStatement(text)): Route {
  // DuckDB takes the text as a C string: it would run the statement cut at the NUL, silently.
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    throw new SqlError({
      phase: 'lex',
      code: 'nul-character',
      detail: 'NUL character (U+0000) in the statement: remove it (DuckDB would read the statement only up to it)',
      source: text,
      span: { start: nul, end: nul + 1 },
    });
  }
  // Lexical errors are left to DuckDB (or the parser): the tokens before them are enough to route.
  let end = lexed.tokens.length;
  while (end > 0 && (lexed.tokens[end - 1]!.kind === 'eof' || lexed.tokens[end - 1]!.kind === ';')) end--;
  const tokens = lexed.tokens.slice(0, end);
  const first = words(tokens, 0);
  if (first === 'set' || first === 'reset') {
    const setting = parseSettingStatement(text, [...tokens, lexed.tokens.at(-1)!], isEngineSetting);
    if (setting?.kind === 'set') return { kind: 'set-setting', name: setting.name, value: setting.value, valueSpan: setting.valueSpan };
    if (setting?.kind === 'reset') return { kind: 'reset-setting', name: setting.name };
  }
  if (first === 'show' && tokens.length === 2 && words(tokens, 1) === 'sqlinfer_settings') return { kind: 'show-settings' };
  if (isModelStatement(tokens)) return { kind: 'model-catalog' };
  const calls = registry === undefined ? [] : modelCalls(tokens, registry);
  return calls.length > 0 ? { kind: 'model', calls } : { kind: 'duckdb' };
}

/** Whether a word or quoted identifier of the statement is one of `names` (lower-case). */
export function namesAnyOf(lexed: LexedStatement, names: readonly string[]): boolean {
  // Lengths first: a 3 MB INSERT has a million tokens, nearly none of them the right length.
  const lengths = new Set(names.flatMap((n) => [n.length, n.length + 2]));
  return lexed.tokens.some((t) => {
    if (!lengths.has(t.text.length)) return false;
    const name = identifier(t);
    return name !== undefined && names.includes(name.toLowerCase());
  });
}

/** COMMIT, ROLLBACK and their synonyms: what the transaction made may be gone after them. */
export function endsTransaction(lexed: LexedStatement): boolean {
  return ['commit', 'end', 'rollback', 'abort'].includes(words(lexed.tokens, 0) ?? '');
}

/** Statements whose first word says they give rows, as many as their data holds (EXPLAIN's plan is a few). */
const rowStatements = new Set([
  'select', 'with', 'from', 'values', 'table', 'pivot', 'unpivot', 'describe', 'desc', 'show', 'summarize', 'call', 'execute',
]);

/**
 * Whether a statement without model calls goes to DuckDB prepared, its rows streamed, rather than as a
 * plain query, whose result DuckDB materializes. A prepared statement is not quite DuckDB's own run of
 * the text: a failure in one leaves an explicit transaction aborted where the plain query rolls back
 * (`PRAGMA copy_database`, `ALTER TABLE ... DEFAULT f()`), and `current_query_id()` is folded while it
 * is prepared, before it has an id. So only statements that may give many rows stream: queries, and
 * INSERT, UPDATE, DELETE or MERGE with RETURNING; and not when they name current_query_id.
 */
export function streamsRows(lexed: LexedStatement): boolean {
  const { tokens } = lexed;
  const first = tokens[0];
  if (first === undefined) return false;
  const hasWord = (w: string) => tokens.some((t) => t.text.length === w.length && is(t, 'word') && t.text.toLowerCase() === w);
  if (hasWord('current_query_id')) return false;
  if (is(first, '(')) return true;
  const word = words(tokens, 0);
  if (word === undefined) return false;
  if (rowStatements.has(word)) return true;
  return ['insert', 'update', 'delete', 'merge'].includes(word) && hasWord('returning');
}

/**
 * Names called as functions (`name(`, not `schema.name(`) that the registry knows. A model's name
 * followed by `(` is not always a call: `AS lin(n)`, `WITH lin(a) AS (...)`, `CREATE TABLE lin(a INT)`
 * name a relation and its columns, and such statements go to DuckDB unchanged.
 */
export function modelCalls(tokens: readonly Token[], registry: Pick<ModelRegistry, 'has'>): string[] {
  const calls: string[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const name = identifier(tokens[i]!);
    if (name === undefined || !is(tokens[i + 1]!, '(')) continue;
    const lower = name.toLowerCase();
    if (registry.has(lower) && !calls.includes(lower) && !namesRelation(tokens, i)) calls.push(lower);
  }
  return calls;
}

/** Words after which `name(` names a relation (or a macro, type, index's table) with its columns. */
const relationIntroducers = new Set([
  'as', 'with', 'recursive', 'table', 'into', 'view', 'exists', 'macro', 'function', 'type', 'references', 'copy',
]);

/**
 * Words that are names to the grammar yet may stand right before an expression (`ORDER BY f(x)`,
 * `x BETWEEN f(a) AND ...`), so a `name(` after them is a call, not an alias written without AS.
 */
const expressionLeaders = new Set([
  ...[...notImplicitAliases].map((w) => w.toLowerCase()),
  'by', 'call', 'execute', 'interval', 'values', 'set', 'zone', 'cube', 'rollup', 'sets', 'return',
]);

/** Whether the `name(` at tokens[i] names a relation rather than calling a function. */
function namesRelation(tokens: readonly Token[], i: number): boolean {
  const before = tokens[i - 1];
  if (before === undefined) return false;
  // `schema.name(` is some other schema's function, never a registered model function.
  if (is(before, '.')) return true;
  // An alias without AS after a relation: `range(3) lin(n)`, `t lin(a)`, `"t" lin(a)`.
  if (is(before, ')') || is(before, 'quoted-identifier')) return true;
  if (!is(before, 'word')) return is(before, ',') && isCteDefinition(tokens, i);
  const word = before.text.toLowerCase();
  if (word === 'as' && isMacroBody(tokens, i - 1)) return false;
  if (relationIntroducers.has(word)) return true;
  // `CREATE INDEX i ON lin(a)`: ON names the indexed table there, a join condition elsewhere.
  if (word === 'on') return words(tokens, 0) === 'create' && tokens.some((_, k) => k < i && words(tokens, k) === 'index');
  return isNameWord(word.toUpperCase()) && !expressionLeaders.has(word);
}

/** The AS of `CREATE [OR REPLACE] [TEMP] MACRO|FUNCTION name(params) AS <body>`: what follows is an expression. */
function isMacroBody(tokens: readonly Token[], as: number): boolean {
  if (words(tokens, 0) !== 'create') return false;
  const head = [1, 2, 3, 4].map((k) => words(tokens, k));
  if (!head.includes('macro') && !head.includes('function')) return false;
  let depth = 0;
  for (let k = 0; k < as; k++) {
    if (is(tokens[k]!, '(')) depth++;
    else if (is(tokens[k]!, ')')) depth--;
  }
  return depth === 0;
}

/** `, lin(a) AS [[NOT] MATERIALIZED] (` inside a WITH list, unlike `, f(x) AS alias` in a select list. */
function isCteDefinition(tokens: readonly Token[], i: number): boolean {
  let depth = 0;
  for (let k = i + 1; k < tokens.length; k++) {
    if (is(tokens[k]!, '(')) depth++;
    else if (is(tokens[k]!, ')') && --depth === 0) {
      if (words(tokens, k + 1) !== 'as') return false;
      let next = k + 2;
      if (words(tokens, next) === 'not') next++;
      if (words(tokens, next) === 'materialized') next++;
      return tokens[next] !== undefined && is(tokens[next]!, '(');
    }
  }
  return false;
}

/** The unquoted name of a word or quoted-identifier token. */
function identifier(token: Token): string | undefined {
  if (is(token, 'word')) return token.text;
  if (is(token, 'quoted-identifier')) return token.text.slice(1, -1).replace(/""/g, '"');
  return undefined;
}

/** The lower-cased word at position i, if that token is a bare word. */
function words(tokens: readonly Token[], i: number): string | undefined {
  const token = tokens[i];
  return token !== undefined && is(token, 'word') ? token.text.toLowerCase() : undefined;
}

function is(token: Token, kind: TokenKind): boolean {
  return token.kind === kind;
}

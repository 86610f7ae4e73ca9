// sqlinfer's own statements about models, parsed from tokens: CREATE [OR REPLACE] MODEL [IF NOT EXISTS]
// name FROM 'path' [WITH (option => value, ...)], DROP MODEL [IF EXISTS] name, SHOW MODELS and
// DESCRIBE MODEL name. Every part keeps its span, so errors point at the name, path or option at fault.
import { lex, type Token } from './lexer.js';
import { decodeDollarString, decodeEscapeString, decodeNumber, decodeString } from './literals.js';
import { sqlErrorAt } from './sql-error.js';
import type { Span } from './span.js';

export type ModelOptionValue = string | number | boolean | null;

export interface ModelOption {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: ModelOptionValue;
  readonly valueSpan: Span;
}

export type ModelStatement =
  | {
      readonly kind: 'CreateModel';
      readonly orReplace: boolean;
      readonly ifNotExists: boolean;
      readonly name: string;
      readonly nameSpan: Span;
      readonly path: string;
      readonly pathSpan: Span;
      readonly options: readonly ModelOption[];
    }
  | { readonly kind: 'DropModel'; readonly ifExists: boolean; readonly name: string; readonly nameSpan: Span }
  | { readonly kind: 'ShowModels' }
  | { readonly kind: 'DescribeModel'; readonly name: string; readonly nameSpan: Span };

/** The words of the model statements that DuckDB's own keyword list (duckdb_keywords()) lacks. */
export const MODEL_STATEMENT_KEYWORDS: readonly string[] = ['model', 'models'];

/** True when the statement's tokens start a model statement (decided from its first words alone). */
export function isModelStatement(tokens: readonly Token[]): boolean {
  const words = tokens.slice(0, 4).map((t) => (t.kind === 'word' ? t.text.toLowerCase() : ''));
  const significant = tokens.filter((t) => t.kind !== ';' && t.kind !== 'eof').length;
  switch (words[0]) {
    case 'create':
      return words[1] === 'model' || (words[1] === 'or' && words[2] === 'replace' && words[3] === 'model');
    case 'drop':
      return words[1] === 'model';
    case 'show':
      return words[1] === 'models' && significant === 2;
    case 'describe':
    case 'desc':
      // `DESCRIBE model` alone describes a table named model.
      return words[1] === 'model' && significant === 3;
    default:
      return false;
  }
}

export function parseModelStatement(source: string): ModelStatement {
  const { tokens: all, error } = lex(source);
  if (error !== null) throw error;
  const tokens = all.filter((t) => t.kind !== 'eof');
  while (tokens.length > 0 && tokens.at(-1)!.kind === ';') tokens.pop();
  let i = 0;
  const eof: Span = { start: source.length, end: source.length };
  const peek = (k = 0): Token | undefined => tokens[i + k];
  const spanOf = (t: Token | undefined): Span => (t === undefined ? eof : { start: t.start, end: t.end });
  const fail = (detail: string, at: Token | undefined = peek()) => sqlErrorAt('parse', 'model-statement-syntax', detail, source, spanOf(at));
  const found = (t: Token | undefined) => (t === undefined ? 'the end of the statement' : `'${t.text}'`);
  const isWord = (word: string, k = 0) => {
    const t = peek(k);
    return t !== undefined && t.kind === 'word' && t.text.toLowerCase() === word;
  };
  const word = (w: string) => {
    if (!isWord(w)) throw fail(`expected ${w.toUpperCase()}, found ${found(peek())}`);
    i++;
  };
  const optional = (...ws: string[]) => {
    if (!ws.every((w, k) => isWord(w, k))) return false;
    i += ws.length;
    return true;
  };
  const name = (what: string): { name: string; nameSpan: Span } => {
    const t = peek();
    if (t === undefined || (t.kind !== 'word' && t.kind !== 'quoted-identifier')) throw fail(`expected ${what}, found ${found(t)}`);
    if (peek(1)?.kind === '.') throw fail(`a model name has one part (no schema), found ${found(t)}.${found(peek(2))}`, peek(1));
    i++;
    // Model names, like the registry, are case-insensitive.
    return { name: (t.kind === 'word' ? t.text : t.text.slice(1, -1).replace(/""/g, '"')).toLowerCase(), nameSpan: spanOf(t) };
  };
  const end = () => {
    if (peek() !== undefined) throw fail(`expected the end of the statement, found ${found(peek())}`);
  };

  let statement: ModelStatement;
  if (optional('show', 'models')) {
    statement = { kind: 'ShowModels' };
  } else if (isWord('describe') || isWord('desc')) {
    i++;
    word('model');
    statement = { kind: 'DescribeModel', ...name('a model name') };
  } else if (optional('drop')) {
    word('model');
    const ifExists = optional('if', 'exists');
    statement = { kind: 'DropModel', ifExists, ...name('a model name') };
  } else {
    word('create');
    const orReplace = optional('or', 'replace');
    word('model');
    const ifNotExists = optional('if', 'not', 'exists');
    if (orReplace && ifNotExists) throw fail('OR REPLACE and IF NOT EXISTS cannot be used together', tokens[i - 1]);
    const named = name('a model name');
    word('from');
    const pathToken = peek();
    const path = stringValue(pathToken);
    if (path === undefined) throw fail(`expected the model's file as a quoted string, found ${found(pathToken)}`);
    i++;
    const options: ModelOption[] = [];
    if (optional('with')) {
      if (peek()?.kind !== '(') throw fail(`expected ( after WITH, found ${found(peek())}`);
      i++;
      for (;;) {
        const option = name('an option name');
        const arrow = peek();
        if (arrow === undefined || arrow.kind !== 'operator' || !['=>', ':=', '='].includes(arrow.text)) {
          throw fail(`expected => after the option ${option.name}, found ${found(arrow)}`);
        }
        i++;
        const start = peek();
        const value = optionValue();
        if (options.some((o) => o.name === option.name)) throw fail(`option ${option.name} is given twice`, tokens[i - 3]);
        options.push({ name: option.name, nameSpan: option.nameSpan, value, valueSpan: { start: spanOf(start).start, end: tokens[i - 1]!.end } });
        if (peek()?.kind === ',') {
          i++;
          continue;
        }
        if (peek()?.kind !== ')') throw fail(`expected , or ) in the options, found ${found(peek())}`);
        i++;
        break;
      }
    }
    statement = { kind: 'CreateModel', orReplace, ifNotExists, ...named, path, pathSpan: spanOf(pathToken), options };
  }
  end();
  return statement;

  function optionValue(): ModelOptionValue {
    const t = peek();
    const text = stringValue(t);
    if (text !== undefined) {
      i++;
      return text;
    }
    if (t?.kind === 'operator' && (t.text === '-' || t.text === '+') && peek(1)?.kind === 'number') {
      i += 2;
      const n = decodeNumber(tokens[i - 1]!.text);
      return t.text === '-' ? -n : n;
    }
    if (t?.kind === 'number') {
      i++;
      return decodeNumber(t.text);
    }
    for (const [w, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (isWord(w)) {
        i++;
        return v;
      }
    }
    throw fail(`expected an option value (a quoted string, a number, TRUE or FALSE), found ${found(t)}`);
  }
}

function stringValue(t: Token | undefined): string | undefined {
  switch (t?.kind) {
    case 'string':
      return decodeString(t.text);
    case 'escape-string':
      return decodeEscapeString(t.text);
    case 'dollar-string':
      return decodeDollarString(t.text);
    default:
      return undefined;
  }
}

// sqlinfer's own statements about models, parsed from tokens: CREATE [OR REPLACE] MODEL [IF NOT EXISTS]
// name FROM 'path' | built_in_model [WITH (option => value, ...)], DROP MODEL [IF EXISTS] name, SHOW MODELS and
// DESCRIBE MODEL name. Every part keeps its span, so errors point at the name, path or option at fault.
import { lexStatement, type LexedStatement, type Token } from './lexer.js';
import { decodeDollarString, decodeEscapeString, decodeNumber, decodeString } from './literals.js';
import { sqlErrorAt, type SqlError } from './sql-error.js';
import { TokenCursor } from './token-cursor.js';
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
      /** The model's file, or the name of the built-in model it derives from (`fromModel`). */
      readonly path: string;
      readonly pathSpan: Span;
      /** FROM names a built-in model (unquoted, e.g. `FROM resnet50`), not a file. */
      readonly fromModel: boolean;
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
  // Counted only for the short statements it decides (a 3 MB INSERT has a million tokens).
  const significant = () => tokens.filter((t) => t.kind !== ';' && t.kind !== 'eof').length;
  switch (words[0]) {
    case 'create':
      return words[1] === 'model' || (words[1] === 'or' && words[2] === 'replace' && words[3] === 'model');
    case 'drop':
      return words[1] === 'model';
    case 'show':
      return words[1] === 'models' && significant() === 2;
    case 'describe':
    case 'desc':
      // `DESCRIBE model` alone describes a table named model.
      return words[1] === 'model' && significant() === 3;
    default:
      return false;
  }
}

export function parseModelStatement(source: string, lexed: LexedStatement = lexStatement(source)): ModelStatement {
  if (lexed.error !== null) throw lexed.error;
  const tokens = lexed.tokens.filter((t) => t.kind !== 'eof');
  while (tokens.length > 0 && tokens.at(-1)!.kind === ';') tokens.pop();
  tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
  return new ModelStatementParser(source, tokens).statement();
}

/** The SQL parser's token cursor, with errors of this statement's own wording and code. */
class ModelStatementParser extends TokenCursor {
  statement(): ModelStatement {
    let statement: ModelStatement;
    if (this.isWord('SHOW') && this.isWord('MODELS', 1)) {
      this.advance();
      this.advance();
      statement = { kind: 'ShowModels' };
    } else if (this.acceptWord('DESCRIBE') || this.acceptWord('DESC')) {
      this.keyword('MODEL');
      statement = { kind: 'DescribeModel', ...this.name('a model name') };
    } else if (this.acceptWord('DROP')) {
      this.keyword('MODEL');
      const ifExists = this.words('IF', 'EXISTS');
      statement = { kind: 'DropModel', ifExists, ...this.name('a model name') };
    } else {
      statement = this.createModel();
    }
    if (this.peek().kind !== 'eof') throw this.error(`expected the end of the statement, found ${found(this.peek())}`);
    return statement;
  }

  private createModel(): ModelStatement {
    this.keyword('CREATE');
    const orReplace = this.words('OR', 'REPLACE');
    this.keyword('MODEL');
    const ifNotExists = this.words('IF', 'NOT', 'EXISTS');
    if (orReplace && ifNotExists) throw this.error('OR REPLACE and IF NOT EXISTS cannot be used together', this.previous());
    const named = this.name('a model name');
    this.keyword('FROM');
    const pathToken = this.peek();
    const fromModel = pathToken.kind === 'word';
    const path = fromModel ? this.name('a model name').name : stringValue(pathToken);
    if (path === undefined) throw this.error(`expected the model's file as a quoted string, found ${found(pathToken)} (or a built-in model's name, as in FROM resnet50)`);
    if (!fromModel) this.advance();
    const options: ModelOption[] = [];
    if (this.acceptWord('WITH')) {
      if (this.peek().kind !== '(') throw this.error(`expected ( after WITH, found ${found(this.peek())}`);
      this.advance();
      for (;;) {
        const option = this.name('an option name');
        const arrow = this.peek();
        if (arrow.kind !== 'operator' || !['=>', ':=', '='].includes(arrow.text)) {
          throw this.error(`expected => after the option ${option.name}, found ${found(arrow)}`);
        }
        this.advance();
        const start = this.start();
        const value = this.optionValue();
        if (options.some((o) => o.name === option.name)) throw this.error(`option ${option.name} is given twice`, option.nameSpan);
        options.push({ name: option.name, nameSpan: option.nameSpan, value, valueSpan: this.spanFrom(start) });
        if (this.acceptKind(',')) continue;
        if (this.peek().kind !== ')') throw this.error(`expected , or ) in the options, found ${found(this.peek())}`);
        this.advance();
        break;
      }
    }
    return { kind: 'CreateModel', orReplace, ifNotExists, ...named, path, pathSpan: spanOf(pathToken), fromModel, options };
  }

  private optionValue(): ModelOptionValue {
    const t = this.peek();
    const text = stringValue(t);
    if (text !== undefined) {
      this.advance();
      return text;
    }
    if (t.kind === 'operator' && (t.text === '-' || t.text === '+') && this.peek(1).kind === 'number') {
      this.advance();
      const n = decodeNumber(this.advance().text);
      return t.text === '-' ? -n : n;
    }
    if (t.kind === 'number') return decodeNumber(this.advance().text);
    for (const [w, v] of [['TRUE', true], ['FALSE', false], ['NULL', null]] as const) {
      if (this.acceptWord(w)) return v;
    }
    throw this.error(`expected an option value (a quoted string, a number, TRUE or FALSE), found ${found(t)}`);
  }

  /** A one-part name, lower-cased: model names, like the registry, are case-insensitive. */
  private name(what: string): { name: string; nameSpan: Span } {
    const t = this.peek();
    if (t.kind !== 'word' && t.kind !== 'quoted-identifier') throw this.error(`expected ${what}, found ${found(t)}`);
    if (this.peek(1).kind === '.') throw this.error(`a model name has one part (no schema), found ${found(t)}.${found(this.peek(2))}`, this.peek(1));
    this.advance();
    return { name: (t.kind === 'word' ? t.text : t.text.slice(1, -1).replace(/""/g, '"')).toLowerCase(), nameSpan: spanOf(t) };
  }

  /** The keyword `w`, or an error that names it. */
  private keyword(w: string): void {
    if (!this.acceptWord(w)) throw this.error(`expected ${w}, found ${found(this.peek())}`);
  }

  /** The keywords `ws`, in order, when they are all there. */
  private words(...ws: string[]): boolean {
    if (!ws.every((w, k) => this.isWord(w, k))) return false;
    ws.forEach(() => this.advance());
    return true;
  }

  private error(detail: string, at: Token | Span = this.peek()): SqlError {
    return sqlErrorAt('parse', 'model-statement-syntax', detail, this.source, 'kind' in at ? spanOf(at) : at);
  }
}

function found(t: Token): string {
  return t.kind === 'eof' ? 'the end of the statement' : `'${t.text}'`;
}

function spanOf(t: Token): Span {
  return { start: t.start, end: t.end };
}

function stringValue(t: Token): string | undefined {
  switch (t.kind) {
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

// The lexer: chevrotain turns text into tokens; this module maps them to the small token shape the
// parser and the statement splitter use, and turns unterminated strings or comments into SqlErrors.
import type { IToken, TokenType } from 'chevrotain';
import { chevrotain } from './chevrotain.js';
import { sqlErrorAt, type SqlError, type SqlErrorCode } from './sql-error.js';
import * as T from './tokens.js';

export type TokenKind =
  | 'word'
  | 'quoted-identifier'
  | 'string'
  | 'escape-string'
  | 'dollar-string'
  | 'number'
  | 'parameter'
  | 'operator'
  | '('
  | ')'
  | '['
  | ']'
  | '{'
  | '}'
  | ','
  | ';'
  | '.'
  | ':'
  | 'comment'
  /** A character no token starts with; `lex` reports it as an error. */
  | 'unknown'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The exact source text. */
  readonly text: string;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export interface LexResult {
  /** Significant tokens, then one 'eof' token at the end of the source. */
  readonly tokens: Token[];
  readonly comments: Token[];
  /**
   * The first lexical error: an unknown character (kept as an 'unknown' token) or an unterminated
   * string or comment (where the tokens stop).
   */
  readonly error: SqlError | null;
  /** Every lexical error, in order: a script's statements each get the first of their own. */
  readonly errors: readonly SqlError[];
  /** Where the input's unclosed string, quoted identifier or comment starts, null when there is none. */
  readonly unterminatedAt: number | null;
}

const kinds = new Map<TokenType, TokenKind>([
  [T.LineComment, 'comment'],
  [T.BlockComment, 'comment'],
  [T.EscapeString, 'escape-string'],
  [T.StringLiteral, 'string'],
  [T.DollarString, 'dollar-string'],
  [T.QuotedIdentifier, 'quoted-identifier'],
  [T.NumberLiteral, 'number'],
  [T.Parameter, 'parameter'],
  [T.Word, 'word'],
  [T.Operator, 'operator'],
  [T.LParen, '('],
  [T.RParen, ')'],
  [T.LBracket, '['],
  [T.RBracket, ']'],
  [T.LBrace, '{'],
  [T.RBrace, '}'],
  [T.Comma, ','],
  [T.Semicolon, ';'],
  [T.Dot, '.'],
  [T.Colon, ':'],
]);

const unterminated = new Map<TokenType, { code: SqlErrorCode; detail: string }>([
  [T.UnterminatedString, { code: 'unterminated-string', detail: 'unterminated string literal' }],
  [T.UnterminatedEscapeString, { code: 'unterminated-string', detail: 'unterminated string literal' }],
  [T.UnterminatedDollarString, { code: 'unterminated-string', detail: 'unterminated dollar-quoted string' }],
  [T.UnterminatedQuotedIdentifier, { code: 'unterminated-identifier', detail: 'unterminated quoted identifier' }],
  [T.UnterminatedComment, { code: 'unterminated-comment', detail: 'unterminated /* comment' }],
]);

// Built once: chevrotain analyses the token set at construction.
const lexer = new chevrotain.Lexer(T.allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true });

function toToken(t: IToken, kind: TokenKind): Token {
  return { kind, text: t.image, start: t.startOffset, end: t.startOffset + t.image.length };
}

/** `'#'`, or `U+0000` for a control character, which a terminal would not show. */
function shownCharacter(text: string): string {
  const code = text.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${String.fromCodePoint(code)}'`;
}

// By chevrotain's token type index, so that the loop over a big script's million tokens does no map lookups.
const kindByIndex: (TokenKind | undefined)[] = [];
for (const [type, kind] of kinds) kindByIndex[type.tokenTypeIdx!] = kind;
const unterminatedByIndex: ({ code: SqlErrorCode; detail: string } | undefined)[] = [];
for (const [type, problem] of unterminated) unterminatedByIndex[type.tokenTypeIdx!] = problem;

/** Tokenizes without throwing: errors are reported in the result. */
export function lex(source: string): LexResult {
  const result = lexer.tokenize(source);
  const tokens: Token[] = [];
  const errors: SqlError[] = [];
  let unterminatedAt: number | null = null;
  // Characters no token matches are skipped by chevrotain; keep them as 'unknown' tokens so that
  // the splitter and the REPL still see them.
  const skipped = result.errors.map((e) => ({ start: e.offset, end: e.offset + e.length }));
  let next = 0;
  const pushSkippedBefore = (offset: number): void => {
    while (next < skipped.length && skipped[next]!.start < offset) {
      const at = skipped[next++]!;
      const text = source.slice(at.start, at.end);
      errors.push(sqlErrorAt('lex', 'unexpected-character', `unexpected character ${shownCharacter(text)}`, source, { start: at.start, end: at.start + 1 }));
      tokens.push({ kind: 'unknown', text, start: at.start, end: at.end });
    }
  };
  const found = result.tokens;
  for (let i = 0; i < found.length; i++) {
    const t = found[i]!;
    if (next < skipped.length) pushSkippedBefore(t.startOffset);
    const problem = unterminatedByIndex[t.tokenTypeIdx];
    if (problem !== undefined) {
      unterminatedAt = t.startOffset;
      const at = { start: t.startOffset, end: t.startOffset + t.image.length };
      errors.push(sqlErrorAt('lex', problem.code, problem.detail, source, at));
      break;
    }
    tokens.push({ kind: kindByIndex[t.tokenTypeIdx]!, text: t.image, start: t.startOffset, end: t.startOffset + t.image.length });
  }
  if (unterminatedAt === null) pushSkippedBefore(source.length);
  const comments = (result.groups['comments'] ?? []).map((t) => toToken(t, 'comment'));
  tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
  return { tokens, comments, error: errors[0] ?? null, errors, unterminatedAt };
}

/** A statement's tokens (ending with 'eof') and its first lexical problem, if any. */
export interface LexedStatement {
  readonly tokens: readonly Token[];
  readonly error: SqlError | null;
}

/** Lexes one statement on its own (the engine gets statements lexed with their script: splitStatements). */
export function lexStatement(source: string): LexedStatement {
  const { tokens, error } = lex(source);
  return { tokens, error };
}

/** Tokenizes `source`, throwing a SqlError (phase 'lex') at the first lexical problem. */
export function tokenize(source: string): Token[] {
  const result = lex(source);
  if (result.error !== null) throw result.error;
  return result.tokens;
}

// Token definitions for DuckDB's SQL dialect. Keywords are not separate tokens: DuckDB lets most
// keywords be used as names, so the lexer emits words and the parser decides (see keywords.ts).
import type { CustomPatternMatcherReturn, TokenType } from 'chevrotain';
import { chevrotain } from './chevrotain.js';

const { createToken, Lexer } = chevrotain;

/** The text from `offset` to `end` as a chevrotain custom-pattern match; null when empty. */
function matched(text: string, offset: number, end: number): CustomPatternMatcherReturn | null {
  return end > offset ? [text.slice(offset, end)] : null;
}

/** `/* ... *\/` with nesting, as in PostgreSQL and DuckDB; unclosed comments are left to UnterminatedComment. */
function matchBlockComment(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (!text.startsWith('/*', offset)) return null;
  let depth = 0;
  let i = offset;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return matched(text, offset, i);
    } else {
      i++;
    }
  }
  return null;
}

const dollarTag = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/** Start of a dollar-quoted string, `$$` or `$tag$`: the tag and where the body starts. */
function dollarOpening(text: string, offset: number): { tag: string; bodyStart: number } | null {
  dollarTag.lastIndex = offset;
  const m = dollarTag.exec(text);
  return m === null ? null : { tag: m[0], bodyStart: offset + m[0].length };
}

function matchDollarString(text: string, offset: number): CustomPatternMatcherReturn | null {
  const open = dollarOpening(text, offset);
  if (open === null) return null;
  const close = text.indexOf(open.tag, open.bodyStart);
  return close < 0 ? null : matched(text, offset, close + open.tag.length);
}

function matchUnterminatedDollarString(text: string, offset: number): CustomPatternMatcherReturn | null {
  return dollarOpening(text, offset) === null ? null : matched(text, offset, text.length);
}

function matchUnterminatedComment(text: string, offset: number): CustomPatternMatcherReturn | null {
  return text.startsWith('/*', offset) ? matched(text, offset, text.length) : null;
}

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: { exec: matchBlockComment },
  start_chars_hint: ['/'],
  line_breaks: true,
  group: 'comments',
});
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: { exec: matchUnterminatedComment },
  start_chars_hint: ['/'],
  line_breaks: true,
});

export const EscapeString = createToken({
  name: 'EscapeString',
  pattern: /[eE]'(?:[^'\\]|\\[\s\S]|'')*'/,
  line_breaks: true,
});
export const UnterminatedEscapeString = createToken({
  name: 'UnterminatedEscapeString',
  pattern: /[eE]'(?:[^'\\]|\\[\s\S]|'')*/,
  line_breaks: true,
});
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/, line_breaks: true });
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /'(?:[^']|'')*/,
  line_breaks: true,
});
export const DollarString = createToken({
  name: 'DollarString',
  pattern: { exec: matchDollarString },
  start_chars_hint: ['$'],
  line_breaks: true,
});
export const UnterminatedDollarString = createToken({
  name: 'UnterminatedDollarString',
  pattern: { exec: matchUnterminatedDollarString },
  start_chars_hint: ['$'],
  line_breaks: true,
});
export const QuotedIdentifier = createToken({
  name: 'QuotedIdentifier',
  pattern: /"(?:[^"]|"")*"/,
  line_breaks: true,
});
export const UnterminatedQuotedIdentifier = createToken({
  name: 'UnterminatedQuotedIdentifier',
  pattern: /"(?:[^"]|"")*/,
  line_breaks: true,
});

// No 0x/0b forms: DuckDB reads `0x1F` as `0 AS x1F`, and the parser must see what DuckDB sees.
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d[\d_]*(?:\.(?:\d[\d_]*)?)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?/,
});
/** `?`, `$1`, `$name`. */
export const Parameter = createToken({
  name: 'Parameter',
  pattern: /\?\d*|\$\d+|\$[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/,
});
export const Word = createToken({ name: 'Word', pattern: /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/ });

// Longest first: the lexer takes the first alternative that matches.
const operatorSymbols = [
  '!~~*', '->>', '!~~', '~~*', '~~~', '!~*', '<->', '<=>',
  '::', ':=', '=>', '->', '**', '//', '||', '<<', '>>', '<=', '>=', '<>', '!=', '==', '~~', '!~', '~*',
  '@>', '<@', '&&', '^@',
  '=', '<', '>', '+', '-', '*', '/', '%', '^', '@', '&', '|', '~', '!', '#',
];
export const Operator = createToken({
  name: 'Operator',
  pattern: new RegExp(operatorSymbols.map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')),
});

export const LParen = createToken({ name: 'LParen', pattern: '(' });
export const RParen = createToken({ name: 'RParen', pattern: ')' });
export const LBracket = createToken({ name: 'LBracket', pattern: '[' });
export const RBracket = createToken({ name: 'RBracket', pattern: ']' });
export const LBrace = createToken({ name: 'LBrace', pattern: '{' });
export const RBrace = createToken({ name: 'RBrace', pattern: '}' });
export const Comma = createToken({ name: 'Comma', pattern: ',' });
export const Semicolon = createToken({ name: 'Semicolon', pattern: ';' });
export const Dot = createToken({ name: 'Dot', pattern: '.' });
export const Colon = createToken({ name: 'Colon', pattern: ':' });

/** In matching order. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  EscapeString,
  UnterminatedEscapeString,
  StringLiteral,
  UnterminatedString,
  QuotedIdentifier,
  UnterminatedQuotedIdentifier,
  DollarString,
  UnterminatedDollarString,
  Parameter,
  NumberLiteral,
  Word,
  Operator,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Semicolon,
  Dot,
  Colon,
];

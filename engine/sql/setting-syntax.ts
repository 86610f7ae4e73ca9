// `SET [SESSION | LOCAL | GLOBAL] name {= | TO} value` and `RESET [scope] name` for sqlinfer's own
// settings, parsed from tokens with the SQL parser's cursor. Other settings are DuckDB's: not parsed here.
import type { Token } from './lexer.js';
import { decodeNumber, decodeString } from './literals.js';
import { SqlError } from './sql-error.js';
import type { Span } from './span.js';
import { TokenCursor } from './token-cursor.js';

export type SettingStatement =
  | { readonly kind: 'set'; readonly name: string; readonly value: string | number; readonly valueSpan: Span }
  | { readonly kind: 'reset'; readonly name: string };

/**
 * The statement when it sets or resets a setting that `isSetting` knows (name lower-cased); undefined
 * for anything else. `tokens` are the statement's, ending with 'eof'.
 */
export function parseSettingStatement(source: string, tokens: readonly Token[], isSetting: (name: string) => boolean): SettingStatement | undefined {
  return new SettingParser(source, tokens).statement(isSetting);
}

class SettingParser extends TokenCursor {
  statement(isSetting: (name: string) => boolean): SettingStatement | undefined {
    const verb = this.acceptWord('SET') ? 'set' : this.acceptWord('RESET') ? 'reset' : undefined;
    if (verb === undefined) return undefined;
    if (['SESSION', 'LOCAL', 'GLOBAL'].some((scope) => this.isWord(scope))) this.advance();
    const nameToken = this.peek();
    const name = identifier(nameToken);
    if (name === undefined || !isSetting(name)) return undefined;
    this.advance();
    if (verb === 'reset') {
      if (this.peek().kind !== 'eof') throw this.invalid(this.peek(), `RESET ${name} takes no value`);
      return { kind: 'reset', name: name.toLowerCase() };
    }
    if (!this.acceptOp('=') && !this.acceptWord('TO')) throw this.invalid(this.peek().kind === 'eof' ? nameToken : this.peek(), `expected = or TO after SET ${name}`);
    const assign = this.previous();
    const first = this.peek();
    const value = this.value();
    if (value === undefined || this.peek().kind !== 'eof') {
      throw this.invalid(first.kind === 'eof' ? assign : first, `SET ${name} expects one value: a number or a quoted string`);
    }
    return { kind: 'set', name: name.toLowerCase(), value, valueSpan: this.spanFrom(first.start) };
  }

  private value(): string | number | undefined {
    const t = this.peek();
    if (t.kind === 'operator' && (t.text === '-' || t.text === '+') && this.peek(1).kind === 'number') {
      this.advance();
      return Number(t.text + String(decodeNumber(this.advance().text)));
    }
    if (t.kind === 'number') return decodeNumber(this.advance().text);
    if (t.kind === 'string') return decodeString(this.advance().text);
    if (t.kind === 'word') return this.advance().text;
    return undefined;
  }

  private invalid(at: Token, detail: string): SqlError {
    return new SqlError({ phase: 'parse', code: 'invalid-setting', detail, source: this.source, span: { start: at.start, end: at.end } });
  }
}

/** The unquoted name of a word or quoted-identifier token. */
function identifier(token: Token): string | undefined {
  if (token.kind === 'word') return token.text;
  if (token.kind === 'quoted-identifier') return token.text.slice(1, -1).replace(/""/g, '"');
  return undefined;
}

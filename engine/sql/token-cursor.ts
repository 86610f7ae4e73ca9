// The token cursor under the parser: lookahead, keyword tests, spans of what was consumed, and
// errors that say what was expected, using every alternative tried at the failing position.
import { nearKeyword } from './keywords.js';
import type { Token, TokenKind } from './lexer.js';
import type { Span } from './span.js';
import { SqlError, sqlErrorAt } from './sql-error.js';

/** The code of the error for input nested too deeply: final, never a reason to try another reading. */
export const tooDeepCode = 'too-deep';

export class TokenCursor {
  protected pos = 0;
  protected lastEnd = 0;
  private expectedAt = -1;
  private readonly expected = new Set<string>();
  private readonly upper: string[];

  constructor(
    protected readonly source: string,
    private readonly tokens: readonly Token[],
  ) {
    this.upper = tokens.map((t) => (t.kind === 'word' ? t.text.toUpperCase() : ''));
  }

  protected peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }

  protected word(k = 0): string {
    return this.upper[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }

  protected note(description: string): void {
    if (this.expectedAt !== this.pos) {
      this.expected.clear();
      this.expectedAt = this.pos;
    }
    this.expected.add(description);
  }

  protected isWord(w: string, k = 0): boolean {
    if (k === 0) this.note(w);
    return this.word(k) === w;
  }

  protected acceptWord(w: string): boolean {
    if (!this.isWord(w)) return false;
    this.advance();
    return true;
  }

  protected expectWord(w: string): Token {
    if (!this.isWord(w)) this.fail(w);
    return this.advance();
  }

  protected isKind(kind: TokenKind, k = 0): boolean {
    if (k === 0) this.note(`'${kind}'`);
    return this.peek(k).kind === kind;
  }

  protected acceptKind(kind: TokenKind): boolean {
    if (!this.isKind(kind)) return false;
    this.advance();
    return true;
  }

  protected expectKind(kind: TokenKind): Token {
    if (!this.isKind(kind)) this.fail(`'${kind}'`);
    return this.advance();
  }

  protected isOp(op: string, k = 0): boolean {
    if (k === 0) this.note(`'${op}'`);
    const t = this.peek(k);
    return t.kind === 'operator' && t.text === op;
  }

  protected acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.advance();
    return true;
  }

  protected advance(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    this.lastEnd = t.end;
    return t;
  }

  /** The token consumed last. */
  protected previous(): Token {
    return this.tokens[Math.max(0, this.pos - 1)]!;
  }

  protected start(): number {
    return this.peek().start;
  }

  protected spanFrom(start: number): Span {
    return { start, end: this.lastEnd };
  }

  protected expectEnd(): void {
    if (this.peek().kind !== 'eof') this.fail('end of statement');
  }

  /** Throws "expected <description>, found '<token>'", preferring a keyword the token misspells. */
  protected fail(description: string, at: Token = this.peek()): never {
    let wanted = description;
    if (at.kind === 'word' && this.expectedAt === this.pos && at === this.peek()) {
      wanted = nearKeyword(at.text, this.expected) ?? description;
    }
    const shown = at.text.length > 30 ? `${at.text.slice(0, 27)}...` : at.text;
    const found = at.kind === 'eof' ? 'end of input' : `'${shown}'`;
    const code = at.kind === 'eof' ? 'unexpected-end' : 'unexpected-token';
    const span = { start: at.start, end: at.end };
    throw sqlErrorAt('parse', code, `expected ${wanted}, found ${found}`, this.source, span);
  }

  /** Runs `attempt`; on a parse error restores the position and returns null. */
  protected tryParse<T>(attempt: () => T): T | null {
    const pos = this.pos;
    const lastEnd = this.lastEnd;
    try {
      return attempt();
    } catch (e) {
      if (!(e instanceof SqlError) || e.code === tooDeepCode) throw e;
      this.pos = pos;
      this.lastEnd = lastEnd;
      return null;
    }
  }
}

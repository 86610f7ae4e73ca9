// Re-emits a statement's source with some spans replaced. Replacements may nest (a relation that is
// rewritten contains model calls that are rewritten too): a replacement's text is computed lazily and may
// itself render the source inside its span with the edits found there.
import type { Span } from '../sql/span.js';

export interface TextEdit {
  readonly span: Span;
  /** The replacement; `inner` renders a span of the source with the edits strictly inside this one. */
  text(inner: (span: Span) => string): string;
}

export class TextEdits {
  private readonly edits: TextEdit[] = [];

  constructor(private readonly source: string) {}

  add(edit: TextEdit): void {
    this.edits.push(edit);
  }

  /** Replaces `span` by fixed text. */
  replace(span: Span, text: string): void {
    this.add({ span, text: () => text });
  }

  /** Inserts text at an offset; insertions at the same offset keep the order they were added in. */
  insert(at: number, text: string): void {
    this.add({ span: { start: at, end: at }, text: () => text });
  }

  /** The source of `span` with every edit inside it applied. */
  render(span: Span): string {
    return this.renderInside(span, null);
  }

  /**
   * render(), plus a map from offsets in the rendered text back to the source: copied text maps to
   * where it came from, replaced text to the start of the span it replaced.
   */
  renderMapped(span: Span): { text: string; toSource(offset: number): number } {
    const pieces: { at: number; source: number; copied: boolean }[] = [];
    const text = this.renderInside(span, null, (at, source, copied) => pieces.push({ at, source, copied }));
    return {
      text,
      toSource(offset) {
        let piece = pieces[0];
        for (const p of pieces) if (p.at <= offset) piece = p;
        if (piece === undefined) return span.start;
        return piece.copied ? piece.source + (offset - piece.at) : piece.source;
      },
    };
  }

  private renderInside(span: Span, owner: TextEdit | null, record?: (at: number, source: number, copied: boolean) => void): string {
    const inside = this.edits.filter((e) => e !== owner && within(e.span, span, owner !== null));
    // Only the outermost edits apply here; the ones nested in them are theirs to render.
    const outermost = inside.filter((e) => !inside.some((o) => o !== e && nestedIn(e.span, o.span)));
    const order = new Map(outermost.map((e, i) => [e, i]));
    outermost.sort(
      (a, b) =>
        a.span.start - b.span.start ||
        a.span.end - a.span.start - (b.span.end - b.span.start) ||
        order.get(a)! - order.get(b)!,
    );
    let out = '';
    let at = span.start;
    for (const edit of outermost) {
      record?.(out.length, at, true);
      out += this.source.slice(at, edit.span.start);
      record?.(out.length, edit.span.start, false);
      out += edit.text((s) => this.renderInside(s, edit));
      at = edit.span.end;
    }
    record?.(out.length, at, true);
    return out + this.source.slice(at, span.end);
  }
}

function within(e: Span, span: Span, strict: boolean): boolean {
  if (e.start < span.start || e.end > span.end) return false;
  if (!strict) return true;
  const empty = e.start === e.end;
  return empty ? e.start !== span.start && e.start !== span.end : e.end - e.start < span.end - span.start;
}

function nestedIn(e: Span, o: Span): boolean {
  if (o.start === o.end) return false;
  return within(e, o, true);
}

// Source positions. Offsets are UTF-16 code units into the statement's source text, end exclusive, so
// `source.slice(span.start, span.end)` is the exact text of a node.

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A 1-based line and column (columns count UTF-16 code units, tabs count as one). */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** Moves a span by `offset` code units, e.g. from a statement into the buffer it was split from. */
export function shiftSpan(s: Span, offset: number): Span {
  return { start: s.start + offset, end: s.end + offset };
}

export function lineColumnAt(source: string, offset: number): LineColumn {
  const end = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Start and end (exclusive, without the line break) offsets of the line holding `offset`. */
export function lineBoundsAt(source: string, offset: number): Span {
  const at = Math.max(0, Math.min(offset, source.length));
  let start = at;
  while (start > 0 && source[start - 1] !== '\n' && source[start - 1] !== '\r') start--;
  let end = at;
  while (end < source.length && source[end] !== '\n' && source[end] !== '\r') end++;
  return { start, end };
}

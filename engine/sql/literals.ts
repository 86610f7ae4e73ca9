// Decoding of literal token text into values.

/** The value of a '...' string: '' becomes '. */
export function decodeString(text: string): string {
  return text.slice(1, -1).replace(/''/g, "'");
}

/** The value of an E'...' string: C-style backslash escapes, as PostgreSQL defines them. */
export function decodeEscapeString(text: string): string {
  const body = text.slice(2, -1);
  const escapes = /''|\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g;
  return body.replace(escapes, (_, esc?: string) => {
    if (esc === undefined) return "'";
    switch (esc[0]) {
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'x':
      case 'u':
      case 'U':
        // Without its digits the letter stands for itself: e'\x' is 'x', as in DuckDB.
        if (esc.length === 1) return esc;
        // Past Unicode's last code point: left as written, for DuckDB to judge when the statement runs.
        return parseInt(esc.slice(1), 16) <= 0x10ffff ? String.fromCodePoint(parseInt(esc.slice(1), 16)) : `\\${esc}`;
      default:
        return /^[0-7]/.test(esc) ? String.fromCharCode(parseInt(esc, 8)) : esc;
    }
  });
}

/** The value of $tag$...$tag$. */
export function decodeDollarString(text: string): string {
  const tagEnd = text.indexOf('$', 1) + 1;
  return text.slice(tagEnd, text.length - tagEnd);
}

/** Numbers as DuckDB reads them: underscores are digit separators. */
export function decodeNumber(text: string): number {
  return Number(text.replace(/_/g, ''));
}

// Whether SQL lists DuckDB's catalog: SHOW, DESCRIBE, the duckdb_* and pragma_* table functions, the
// information_schema and pg_catalog views. Such a relation must be read before the statement's own staging
// objects exist, or its listing would show them (SHOW ALL TABLES listing the staged rows' table).
import { lexStatement } from '../sql/lexer.js';

const listingWords = new Set(['SHOW', 'DESCRIBE']);
const catalogNames = /^"?(duckdb_\w+|pragma_\w+|information_schema|pg_catalog|sqlite_master|sqlite_schema|sqlite_temp_master)"?$/i;

export function readsCatalog(sql: string): boolean {
  const tokens = lexStatement(sql).tokens;
  return tokens.some((t, i) => {
    if (t.kind === 'quoted-identifier') return catalogNames.test(t.text);
    if (t.kind !== 'word') return false;
    const word = t.text.toUpperCase();
    // DESC lists the catalog as a statement, `(DESC t)`; elsewhere it is a sort order.
    return listingWords.has(word) || (word === 'DESC' && tokens[i - 1]?.kind === '(') || catalogNames.test(t.text);
  });
}

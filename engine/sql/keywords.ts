// Which words the grammar reserves. DuckDB (like PostgreSQL) lets most keywords be names; these lists
// follow DuckDB's keyword categories, kept to what the parser needs to tell names from syntax.

/** Never a bare column, table or alias name, nor a function name. */
export const reservedWords: ReadonlySet<string> = new Set([
  'ALL', 'ANALYSE', 'ANALYZE', 'AND', 'ANY', 'ARRAY', 'AS', 'ASC', 'ASYMMETRIC', 'BOTH', 'CASE', 'CAST',
  'CHECK', 'COLLATE', 'COLUMN', 'CONSTRAINT', 'CREATE', 'DEFAULT', 'DEFERRABLE', 'DESC', 'DESCRIBE',
  'DISTINCT', 'DO', 'ELSE', 'END', 'EXCEPT', 'FALSE', 'FETCH', 'FOR', 'FOREIGN', 'FROM', 'GRANT', 'GROUP',
  'HAVING', 'IN', 'INITIALLY', 'INTERSECT', 'INTO', 'LATERAL', 'LEADING', 'LIMIT', 'NOT', 'NULL', 'OFFSET',
  'ON', 'ONLY', 'OR', 'ORDER', 'PIVOT', 'PIVOT_LONGER', 'PIVOT_WIDER', 'PLACING', 'PRIMARY', 'QUALIFY',
  'REFERENCES', 'RETURNING', 'SELECT', 'SHOW', 'SOME', 'SUMMARIZE', 'SYMMETRIC', 'TABLE', 'THEN', 'TO',
  'TRAILING', 'TRUE', 'UNION', 'UNIQUE', 'UNPIVOT', 'USING', 'VARIADIC', 'WHEN', 'WHERE', 'WINDOW', 'WITH',
]);

/** Function or type names, but not bare column, table or alias names (they continue a FROM or an expression). */
export const typeFunctionWords: ReadonlySet<string> = new Set([
  'ANTI', 'ASOF', 'AUTHORIZATION', 'BINARY', 'COLLATION', 'CONCURRENTLY', 'CROSS', 'FREEZE', 'FULL',
  'GENERATED', 'GLOB', 'ILIKE', 'INNER', 'IS', 'ISNULL', 'JOIN', 'LEFT', 'LIKE', 'MAP', 'NATURAL', 'NOTNULL',
  'OUTER', 'OVERLAPS', 'POSITIONAL', 'RIGHT', 'SEMI', 'SIMILAR', 'STRUCT', 'TABLESAMPLE', 'TRY_CAST',
  'VERBOSE',
]);

/** Type and function words DuckDB also reads as a column or table name where no call, type or literal follows. */
export const typeFunctionNames: ReadonlySet<string> = new Set(['GENERATED', 'MAP', 'STRUCT', 'TRY_CAST']);

/** Words that may follow a complete expression, so they are never read as an alias written without AS. */
export const notImplicitAliases: ReadonlySet<string> = new Set([
  'BETWEEN', 'ESCAPE', 'EXCLUDE', 'REPLACE', 'RENAME', 'FILTER', 'OVER', 'WITHIN', 'IGNORE', 'RESPECT',
  'NULLS', 'AT', 'PERCENT', 'ROWS', 'RANGE', 'GROUPS', 'PRECEDING', 'FOLLOWING', 'UNBOUNDED', 'CURRENT',
]);

/** Clause keywords the parser suggests when a word looks like a misspelling of one ("FORM" for FROM). */
export const clauseWords: readonly string[] = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'HAVING', 'WINDOW', 'QUALIFY', 'ORDER', 'LIMIT', 'OFFSET', 'UNION',
  'INTERSECT', 'EXCEPT', 'JOIN', 'USING', 'VALUES',
];

/** Interval units accepted after `INTERVAL <value>`. */
export const intervalUnits: ReadonlySet<string> = new Set(
  [
    'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'WEEK', 'QUARTER',
    'DECADE', 'CENTURY', 'MILLENNIUM',
  ].flatMap((u) => [u, `${u}S`]).concat(['CENTURIES', 'MILLENNIA']),
);

/** True for a word that can name a column, table or alias. */
export function isNameWord(upper: string): boolean {
  return !reservedWords.has(upper) && !typeFunctionWords.has(upper);
}

/** Optimal string alignment distance, small inputs only (keyword suggestions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The keyword `word` most likely misspells, among `candidates`, or undefined. */
export function nearKeyword(word: string, candidates: Iterable<string>): string | undefined {
  const upper = word.toUpperCase();
  if (upper.length < 3) return undefined;
  const limit = upper.length >= 6 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    if (c === upper || !/^[A-Z_]+$/.test(c)) continue;
    const dist = editDistance(upper, c);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

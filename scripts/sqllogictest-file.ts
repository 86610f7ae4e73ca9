// Reads one of DuckDB's sqllogictest files (test/sql/**/*.test) into the steps the corpus agreement script
// runs: statements and queries (with what the file expects of them), `load` and `restart`. Loops are
// unrolled, `skipif`/`onlyif` and `mode skip` followed as DuckDB's runner does for DuckDB. A file that
// needs what this machine lacks (an extension that must be downloaded, Windows, more RAM) is not runnable.

export type Step =
  | { readonly kind: 'statement'; readonly sql: string; readonly expectError: boolean; readonly line: number }
  | { readonly kind: 'query'; readonly sql: string; readonly sort: 'none' | 'rowsort' | 'valuesort'; readonly expectError: boolean; readonly line: number }
  | { readonly kind: 'load'; readonly path: string | null; readonly readOnly: boolean; readonly line: number }
  | { readonly kind: 'restart'; readonly line: number };

export type TestFile = { readonly runnable: true; readonly steps: readonly Step[] } | { readonly runnable: false; readonly reason: string };

/** `require` arguments that hold for the DuckDB of @duckdb/node-api here (its bundled extensions, Linux, 64-bit). */
const satisfied = new Set([
  'parquet', 'json', 'icu', 'autocomplete', 'core_functions', 'skip_reload', 'vector_size', 'exact_vector_size', 'noforcestorage',
  'no_force_storage', 'no_alternative_verify', 'block_size', 'notwindows', 'notmingw', '64bit', 'no_latest_storage',
  'no_vector_verification', 'no_extension_autoloading', 'strinline',
]);

/** The file's steps, its placeholders (`__TEST_DIR__` ...) left for the runner to fill in. */
export function readTestFile(text: string): TestFile {
  const lines = text.split(/\r?\n/);
  const steps: Step[] = [];
  let skipping = false;
  const records: { readonly lines: readonly string[]; readonly line: number }[] = [];
  // Records are blocks separated by blank lines; loops are unrolled first, over the blocks' header lines.
  let block: string[] = [];
  let blockLine = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') {
      if (block.length > 0) records.push({ lines: block, line: blockLine });
      block = [];
      return;
    }
    if (block.length === 0) blockLine = i + 1;
    block.push(line);
  });
  if (block.length > 0) records.push({ lines: block, line: blockLine });

  const expanded: { lines: string[]; line: number }[] = [];
  const expand = (from: number, to: number, substitutions: ReadonlyMap<string, string>): void => {
    for (let r = from; r < to; r++) {
      const record = records[r]!;
      const head = record.lines[0]!.trim().split(/\s+/);
      if (head[0] === 'loop' || head[0] === 'foreach' || head[0] === 'concurrentloop') {
        const end = matchingEnd(records, r);
        const values =
          head[0] === 'foreach'
            ? head.slice(2)
            : range(Number(substitute(head[2]!, substitutions)), Number(substitute(head[3]!, substitutions)));
        // Statements may follow the loop header in the same block.
        for (const value of values) {
          const inner = new Map(substitutions).set(head[1]!, value);
          if (record.lines.length > 1) expanded.push({ lines: record.lines.slice(1).map((l) => substitute(l, inner)), line: record.line });
          expand(r + 1, end, inner);
        }
        r = end;
        continue;
      }
      if (head[0] === 'endloop') continue;
      expanded.push({ lines: record.lines.map((l) => substitute(l, substitutions)), line: record.line });
    }
  };
  expand(0, records.length, new Map());

  for (const record of expanded) {
    let body = record.lines.filter((l) => !l.startsWith('#'));
    if (body.length === 0) continue;
    let include = true;
    // Conditions and directives may stand on their own lines before the record.
    for (;;) {
      const head = body[0]!.trim().split(/\s+/);
      if (head[0] === 'skipif') include &&= head[1] !== 'duckdb';
      else if (head[0] === 'onlyif') include &&= head[1] === 'duckdb';
      else break;
      body = body.slice(1);
      if (body.length === 0) break;
    }
    if (body.length === 0) continue;
    const head = body[0]!.trim().split(/\s+/);
    switch (head[0]) {
      case 'require': {
        const what = head[1] ?? '';
        if (what === 'ram') continue;
        if (!satisfied.has(what)) return { runnable: false, reason: `require ${what}` };
        continue;
      }
      case 'mode':
        if (head[1] === 'skip') skipping = true;
        else if (head[1] === 'unskip') skipping = false;
        continue;
      case 'halt':
        return { runnable: true, steps };
      case 'load':
        if (include && !skipping) steps.push({ kind: 'load', path: head[1] ?? null, readOnly: head[2] === 'readonly', line: record.line });
        continue;
      case 'restart':
        if (include && !skipping) steps.push({ kind: 'restart', line: record.line });
        continue;
      case 'statement': {
        const separator = body.indexOf('----');
        const sql = body.slice(1, separator < 0 ? undefined : separator).join('\n');
        const expectError = head[1] === 'error' || head[1] === 'maybe';
        if (include && !skipping && sql.trim() !== '') steps.push({ kind: 'statement', sql, expectError, line: record.line });
        continue;
      }
      case 'query': {
        const separator = body.indexOf('----');
        const sql = body.slice(1, separator < 0 ? undefined : separator).join('\n');
        const sort = head[2] === 'rowsort' || head[2] === 'valuesort' ? head[2] : 'none';
        if (include && !skipping && sql.trim() !== '') steps.push({ kind: 'query', sql, sort, expectError: false, line: record.line });
        continue;
      }
      default:
        // set, hash-threshold, reconnect and other runner settings change nothing DuckDB sees.
        continue;
    }
  }
  return { runnable: true, steps };
}

/** The index of the `endloop` record closing the loop opened at records[from]. */
function matchingEnd(records: readonly { readonly lines: readonly string[] }[], from: number): number {
  let depth = 0;
  for (let r = from; r < records.length; r++) {
    const first = records[r]!.lines[0]!.trim().split(/\s+/)[0];
    if (first === 'loop' || first === 'foreach' || first === 'concurrentloop') depth++;
    // `endloop` may end a block that holds statements before it.
    if (records[r]!.lines.some((l) => l.trim() === 'endloop') && --depth === 0) return r;
  }
  return records.length;
}

function range(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(String(i));
  return out;
}

function substitute(line: string, values: ReadonlyMap<string, string>): string {
  return line.replace(/\$\{(\w+)\}/g, (whole, name: string) => values.get(name) ?? whole);
}

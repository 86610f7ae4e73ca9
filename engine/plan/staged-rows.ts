// The staged rows of a relation as the later stages read them: its numbered rows with the model results
// so far, each result checked against its row's key; and the internal names that cannot clash with a
// column of the user's.

/** Names the staged columns (and relations DuckDB gives no name) so they cannot clash with the user's. */
export const tempPrefix = '__sqlinfer_';
/**
 * The names sqlinfer adds to a relation's rows: its row key and the model results. Their prefix is one
 * that none of the relation's own columns starts with, so they can never be taken for the user's.
 */
export interface InternalNames {
  readonly key: string;
  result(n: number): string;
  alias(name: string): string;
}

export function internalNames(columns: ReadonlySet<string>): InternalNames {
  let prefix = tempPrefix;
  for (let n = 1; [...columns].some((c) => c.startsWith(prefix)); n++) prefix = `${tempPrefix}${n}_`;
  return { key: `${prefix}key`, result: (n) => `${prefix}m${n}`, alias: (name) => `${prefix}${name}` };
}

/** A level's results table and its columns, in the order the levels ran. */
export interface StagedResults {
  readonly table: string;
  readonly columns: readonly string[];
}

/**
 * The staged rows of a relation with the results of the levels so far. Results are written in the order
 * the model stage read the rows, so they line up with them; each value is still checked against its
 * row's key, so a result can never be shown on another row.
 */
export function stagedRows(stageTable: string, results: readonly StagedResults[], names: InternalNames): string {
  if (results.length === 0) return stageTable;
  const rows = names.alias('s');
  const columns = results.flatMap((r, i) => {
    const t = names.alias(`t${i + 1}`);
    return r.columns.map(
      (c) => `CASE WHEN ${t}.${names.key} = ${rows}.${names.key} THEN ${t}.${c} ELSE error('sqlinfer: a model result is not on its row') END AS ${c}`,
    );
  });
  const joins = results.map((r, i) => ` POSITIONAL JOIN ${r.table} AS ${names.alias(`t${i + 1}`)}`).join('');
  return `(SELECT ${rows}.*, ${columns.join(', ')} FROM ${stageTable} AS ${rows}${joins})`;
}

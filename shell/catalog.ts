// What the database holds, asked of DuckDB in plain SQL (duckdb_tables(), duckdb_columns() ...): names
// for tab completion, and the text of .tables, .schema and .models.
import { MODEL_STATEMENT_KEYWORDS, type ArgSpec, type Engine, type ModelFunction } from '../engine/index.js';

export interface Names {
  readonly keywords: readonly string[];
  readonly tables: readonly string[];
  readonly columns: readonly string[];
  readonly functions: readonly string[];
}

/** sqlinfer's own temp tables for model stages: not the user's. */
const internalTable = `NOT internal AND NOT starts_with(table_name, '__sqlinfer_')`;

export class Catalog {
  private cached: Names | undefined;

  constructor(
    private readonly engine: Engine,
    /** The model functions now (CREATE MODEL adds some while the shell runs). */
    readonly models: () => readonly ModelFunction[],
  ) {}

  /** Names for completion, asked once and kept until invalidate() (after any statement). */
  async names(): Promise<Names> {
    this.cached ??= {
      keywords: [...(await this.column(`SELECT keyword_name FROM duckdb_keywords() ORDER BY 1`)), ...MODEL_STATEMENT_KEYWORDS],
      tables: await this.tableNames(),
      columns: await this.column(
        `SELECT DISTINCT column_name FROM duckdb_columns() WHERE NOT internal AND NOT starts_with(table_name, '__sqlinfer_') ORDER BY 1`,
      ),
      functions: [
        ...new Set([
          ...this.models().map((m) => m.name),
          ...(await this.column(`SELECT DISTINCT function_name FROM duckdb_functions() WHERE NOT starts_with(function_name, '__') ORDER BY 1`)),
        ]),
      ],
    };
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  /** Tables and views, sorted. */
  tableNames(): Promise<string[]> {
    return this.column(
      `SELECT table_name FROM duckdb_tables() WHERE ${internalTable}
       UNION SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1`,
    );
  }

  /** The CREATE statements of one table or view (by name, case-insensitive), or of all of them. */
  async schema(name?: string): Promise<string[]> {
    const where = name === undefined ? '' : ` AND lower(table_name) = lower(${quote(name)})`;
    return this.column(
      `SELECT sql FROM (SELECT table_name, sql FROM duckdb_tables() WHERE ${internalTable}
         UNION ALL SELECT view_name AS table_name, sql FROM duckdb_views() WHERE NOT internal)
       WHERE sql IS NOT NULL${where} ORDER BY table_name`,
    );
  }

  private async column(sql: string): Promise<string[]> {
    const [result] = await this.engine.run(sql);
    return (result?.rows ?? []).map((row) => String(row[0]));
  }
}

/** `predict_resnet50(data FLOAT[]) -> FLOAT[]`: optional arguments in brackets, constants marked. */
export function modelSignature(fn: ModelFunction): string {
  const args = fn.args.map((arg) => {
    const types = arg.kinds.map((k) => argTypes[k] ?? k.toUpperCase()).join(' | ');
    const text = `${arg.name} ${types}${arg.constant ? ' constant' : ''}`;
    return arg.optional ? `[${text}]` : text;
  });
  return `${fn.name}(${args.join(', ')}) -> ${fn.resultType}`;
}

const argTypes: Partial<Record<ArgSpec['kinds'][number], string>> = {
  'float-list': 'FLOAT[]',
  tensor: 'numeric list',
  blob: 'BLOB',
  varchar: 'VARCHAR',
  integer: 'INTEGER',
};

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

// Results of sqlinfer's own setting statements, shaped like DuckDB's: SET and RESET return nothing,
// SHOW sqlinfer_settings returns a (name, value, description) table.
import { VARCHAR } from '@duckdb/node-api';
import type { SettingRow } from '../settings.js';
import type { DuckDBStatementRun } from './duckdb-statement.js';
import type { ResultColumnInfo } from './result.js';

const settingColumns: readonly ResultColumnInfo[] = ['name', 'value', 'description'].map((name) => ({
  name,
  type: 'VARCHAR',
  duckdbType: VARCHAR,
}));

/** Without rows: the result of SET/RESET; with rows: the settings table. */
export function settingsRun(rows?: readonly SettingRow[]): DuckDBStatementRun {
  return {
    kind: rows === undefined ? 'nothing' : 'rows',
    columns: rows === undefined ? [] : settingColumns,
    rowsChanged: 0,
    async *chunks() {
      if (rows !== undefined) yield rows.map((r) => [r.name, r.value, r.description]);
    },
  };
}

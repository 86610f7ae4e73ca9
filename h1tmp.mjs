import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:'); const c = await inst.connect();
for (const q of process.argv.slice(2)) {
  const r = await c.runAndReadAll(`SELECT json_serialize_sql(${"'" + q.replace(/'/g, "''") + "'"}, skip_null := true, skip_empty := true) AS j`);
  const j = JSON.parse(r.getRowsJson()[0][0], (k, v) => (k === 'query_location' ? undefined : v)); console.log(q, '=>', JSON.stringify(j.statements?.[0]?.node?.select_list ?? j).slice(0, 400));
}
c.closeSync(); inst.closeSync();

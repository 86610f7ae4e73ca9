import { DuckDBInstance } from '@duckdb/node-api';
import { parseStatement } from './dist/engine/sql/parser.js';
import { childrenOf } from './dist/engine/sql/walk.js';
import fs from 'node:fs';
const kinds = new Set(['ColumnRef','Literal','TypedLiteral','IntervalLiteral','Parameter','FunctionCall','UnaryOp','BinaryOp','Cast','CaseExpression','InList','InSubquery','Exists','Between','Like','IsNull','IsDistinctFrom','IsBoolean','ListLiteral','ListComprehension','PositionalReference','StructLiteral','MapLiteral','Subscript','Slice','FieldAccess','ScalarSubquery','Parenthesized','Collate','AtTimeZone']);
const isQ = (n) => n.kind === 'FunctionCall' && n.syntax === 'special' && /^(any|all|some)$/i.test(n.name.parts[0].name);
function p(src, node, parent, gp) {
  let out = '', at = node.span.start;
  for (const c of childrenOf(node)) { out += src.slice(at, c.span.start) + p(src, c, node, parent); at = c.span.end; }
  out += src.slice(at, node.span.end);
  const wrap = kinds.has(node.kind) && !['TypedLiteral','IntervalLiteral','Star','TableFunctionRef','FileRef'].includes(parent?.kind)
    && !(node.kind === 'Literal' && node.literalType === 'string' && !/^[eE]?['$]/.test(out))
    && !(node.kind === 'ColumnRef' && /^\s*\.\s*\w+\s*\(/.test(src.slice(node.span.end)))
    && !(node.kind === 'FunctionCall' && node.name.parts[0].name.toUpperCase() === 'COLUMNS') && !isQ(node) && !(gp && isQ(gp));
  return wrap ? `(${out})` : out;
}
const inst = await DuckDBInstance.create(':memory:'); const c = await inst.connect();
async function tree(sql) {
  const r = await c.runAndReadAll(`SELECT json_serialize_sql('${sql.replace(/'/g, "''")}', skip_null := true, skip_empty := true)`);
  return JSON.parse(r.getRowsJson()[0][0], (k, v) => (k === 'query_location' ? undefined : v));
}
for (const sql of fs.readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  const orig = await tree(sql);
  let ast;
  try { ast = parseStatement(sql); } catch (e) { console.log(orig.error ? 'both-reject' : 'WE-REJECT', sql, '|', e.message); continue; }
  if (orig.error) { console.log('DUCK-REJECTS', sql, '|', orig.error_message); continue; }
  const w = p(sql, ast, null, null);
  const t = await tree(w);
  console.log(JSON.stringify(t) === JSON.stringify(orig) ? 'same' : 'DIFF', sql, JSON.stringify(t) === JSON.stringify(orig) ? '' : '\n   ' + w + (t.error ? ' | ' + t.error_message : ''));
}
c.closeSync(); inst.closeSync();

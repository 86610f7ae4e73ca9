// How a model call's argument is read from DuckDB: the family of its DuckDB type, and the type it is
// cast to in the input stage (FLOAT[], BLOB, or a list of a model input's element type).
import { ELEMENT_SQL_TYPES, type ArgKind, type ElementType } from '../../udfs/index.js';
import { sqlErrorAt, type SqlErrorCode } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import { kindsText, type ModelCallSite } from './model-calls.js';
import type { PlannedInputColumn } from './model-plan.js';

/**
 * How argument `position` of the call (parameter `index`) is read: its kind and the type it is cast to
 * (`sql`, replaced by the cast expression by the caller).
 */
export function inputColumnOf(site: ModelCallSite, position: number, index: number, type: string, source: string): PlannedInputColumn {
  const error = (code: SqlErrorCode, detail: string, at: Span) => sqlErrorAt('plan', code, detail, source, at);
  const spec = site.fn.args[index]!;
  const arg = site.call.args[position]!;
  const where = `argument ${position + 1} (${spec.name}) of ${site.fn.name}`;
  if (accepts(spec.kinds, 'tensor')) {
    const tensor = tensorInput(type, spec.element ?? 'float32');
    if (tensor === null) {
      const hint = /\[\d*\]\s*\[\d*\]\s*$/.test(type) ? ' (a flat list is expected: flatten(...) it)' : '';
      throw error('model-call-argument-type', `${where} must be ${kindsText(spec)}, found ${type}${hint}`, arg.value.span);
    }
    const problem = site.fn.checkArg?.(index, type);
    if (problem !== undefined) throw error('model-call-argument-shape', problem, arg.value.span);
    return tensor;
  }
  const found = kindOfType(type);
  if (found === 'null') {
    if (accepts(spec.kinds, 'float-list')) return { sql: 'FLOAT[]', kind: 'float-list' };
    if (accepts(spec.kinds, 'blob')) return { sql: 'BLOB', kind: 'blob' };
  } else if (found !== null && spec.kinds.includes(found)) {
    if (found === 'float-list') return { sql: 'FLOAT[]', kind: 'float-list' };
    if (found === 'blob') return { sql: 'BLOB', kind: 'blob' };
    throw error('model-call-constant-argument', `${where} must be a constant, e.g. a quoted string or a number`, arg.span);
  }
  throw error('model-call-argument-type', `${where} must be ${kindsText(spec)}, found ${type}`, arg.value.span);
}

export function accepts(kinds: readonly ArgKind[], kind: ArgKind): boolean {
  return kinds.includes(kind);
}

const numericScalar = /^(FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|BOOLEAN)$/;

/**
 * A `tensor` argument of DuckDB type `type`, converted to `element`: a flat list or array of numbers or
 * booleans is cast to a list of the element's type, a number or boolean to the element's type (read as a
 * one-value row); null for any other type.
 */
function tensorInput(type: string, element: ElementType): PlannedInputColumn | null {
  const t = type.trim().toUpperCase();
  const sqlElement = ELEMENT_SQL_TYPES[element];
  const list = /^(.*)\[\d*\]$/.exec(t);
  if (t === 'NULL' || (list !== null && numericScalar.test(list[1]!))) {
    return element === 'float32' ? { sql: 'FLOAT[]', kind: 'float-list' } : { sql: `${sqlElement}[]`, kind: 'tensor-list', element, scalar: false };
  }
  if (numericScalar.test(t)) return { sql: sqlElement, kind: 'tensor-list', element, scalar: true };
  return null;
}

/** The family of a DuckDB type, as model functions see it; null for any other type. */
export function kindOfType(type: string): ArgKind | 'null' | null {
  const t = type.trim().toUpperCase().replace(/^"|"$/g, '');
  if (t === 'NULL') return 'null';
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)\[\d*\]$/.test(t)) {
    return 'float-list';
  }
  if (t === 'BLOB') return 'blob';
  if (t === 'VARCHAR') return 'varchar';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'integer';
  return null;
}

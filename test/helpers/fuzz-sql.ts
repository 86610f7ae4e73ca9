// Inputs for fuzzing the SQL front end, from a fixed seed: random token sequences, and mutations of valid
// statements (tokens deleted, repeated, swapped, replaced or inserted; the text cut or a character
// inserted at any offset, not only between tokens).
import { lex } from '../../engine/sql/lexer.js';
import { parseStatement } from '../../engine/sql/parser.js';
import { dumpAst } from './dump-ast.js';
import { routeStatement } from '../../engine/router.js';
import { SqlError } from '../../engine/sql/sql-error.js';
import { splitStatements } from '../../engine/sql/split-statements.js';
import { randomInt, seededRandom, type Random } from '../../udfs/seeded-random.js';

/** Tokens the random sequences are drawn from: keywords of every clause, punctuation and odd literals. */
const VOCABULARY = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'ALL', 'EXCEPT',
  'INTERSECT', 'WITH', 'RECURSIVE', 'AS', 'JOIN', 'LEFT', 'ON', 'USING', 'POSITIONAL', 'ASOF', 'LATERAL',
  'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'TRUE', 'LIKE', 'BETWEEN',
  'CAST', 'TRY_CAST', 'EXISTS', 'DISTINCT', 'OVER', 'PARTITION', 'ROWS', 'RANGE', 'PRECEDING', 'FILTER',
  'COPY', 'TO', 'INSERT', 'INTO', 'VALUES', 'CREATE', 'TABLE', 'EXPLAIN', 'ANALYZE', 'SET', 'RESET',
  'EXCLUDE', 'REPLACE', 'COLUMNS', 'QUALIFY', 'WINDOW', 'TABLESAMPLE', 'INTERVAL', 'DATE', 'LAMBDA', 'FOR',
  'IF', 'MAP', 'STRUCT', 'ROW', 'UNNEST', 'PIVOT', 'DESCRIBE', 'SUMMARIZE', 'PRAGMA', 'ATTACH',
  'a', 't', 'x', 'predict_resnet50', 'image_to_tensor', 'count', 'sum', 'read_parquet', 'model_threads',
  '"q"', '"a""b"', "'s'", "'it''s'", "E'\\n'", '$$d$$', '$tag$x$tag$', '1', '0.5', '.5', '1e9', '1_000',
  '$1', '?', '$name', '(', ')', '[', ']', '{', '}', ',', ';', '.', ':', '::', '*', '+', '-', '/', '%', '^',
  '||', '=', '==', '<>', '!=', '<', '>=', '->', '=>', ':=', '#1', '@', '~', '--c\n', '/* c */', '/*', "'",
  '"', '$$', 'ǅ', '\u0000', '\t', '\n',
];

/** Characters inserted at random offsets: quotes and comment openers that change how everything after lexes. */
const CHARACTERS = ["'", '"', '$', '(', ')', '[', ']', '{', '}', ';', '-', '/', '*', '\\', ':', ',', '.', ' ', '\u00e9', '\u{1F600}', '\u0000', '#', '?'];

export function* fuzzInputs(seeds: readonly string[], count: number, seed: number): Generator<string> {
  const random = seededRandom(seed);
  for (let n = 0; n < count; n++) {
    if (n % 3 === 0) {
      yield randomTokens(random);
    } else {
      const base = seeds[randomInt(random, 0, seeds.length - 1)]!;
      yield mutate(base, random, randomInt(random, 1, 4));
    }
  }
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[randomInt(random, 0, items.length - 1)]!;
}

function randomTokens(random: Random): string {
  const length = randomInt(random, 1, 30);
  return Array.from({ length }, () => pick(random, VOCABULARY)).join(random() < 0.8 ? ' ' : '');
}

function mutate(source: string, random: Random, times: number): string {
  let text = source;
  for (let i = 0; i < times; i++) text = mutateOnce(text, random);
  return text;
}

function mutateOnce(text: string, random: Random): string {
  const tokens = lex(text).tokens.filter((t) => t.kind !== 'eof');
  const operation = randomInt(random, 0, 6);
  if (tokens.length === 0 || operation === 5) {
    const at = randomInt(random, 0, text.length);
    return text.slice(0, at) + pick(random, CHARACTERS) + text.slice(at);
  }
  if (operation === 6) return text.slice(0, randomInt(random, 0, text.length));
  const t = pick(random, tokens);
  switch (operation) {
    case 0:
      return text.slice(0, t.start) + text.slice(t.end);
    case 1:
      return text.slice(0, t.end) + ' ' + t.text + text.slice(t.end);
    case 2: {
      const u = pick(random, tokens);
      const [first, second] = t.start <= u.start ? [t, u] : [u, t];
      if (first === second) return text;
      return text.slice(0, first.start) + second.text + text.slice(first.end, second.start) + first.text + text.slice(second.end);
    }
    case 3:
      return text.slice(0, t.start) + pick(random, VOCABULARY) + text.slice(t.end);
    default:
      return text.slice(0, t.start) + pick(random, VOCABULARY) + ' ' + text.slice(t.start);
  }
}

/** A problem with one input, or null when the front end behaved: parsed, or a SqlError with a position inside it. */
export function checkInput(sql: string): string | null {
  const registry = { has: (name: string) => name === 'predict_resnet50' || name === 'image_to_tensor' };
  try {
    for (const statement of splitStatements(sql)) {
      if (sql.slice(statement.span.start, statement.span.end) !== statement.text) return 'split span does not match its text';
    }
    routeStatement(sql, registry);
  } catch (error) {
    // The splitter never throws, whatever the input; the router only refuses a NUL byte, at its position.
    if (!(error instanceof SqlError && error.code === 'nul-character' && sql[error.span?.start ?? -1] === '\0')) {
      return `splitter or router threw ${describe(error)}`;
    }
  }
  try {
    dumpAst(parseStatement(sql));
    return null;
  } catch (error) {
    if (!(error instanceof SqlError)) return `threw ${describe(error)}`;
    if (error.span === undefined) return `SqlError without a position: ${error.message}`;
    if (error.span.start < 0 || error.span.start > sql.length || error.span.end < error.span.start) {
      return `SqlError span ${error.span.start}..${error.span.end} outside the input: ${error.message}`;
    }
    return null;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
}

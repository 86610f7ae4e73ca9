// A recursive-descent parser over the chevrotain token stream, producing the AST of ast.ts.
//
// Written by hand rather than with chevrotain's grammar DSL: DuckDB's grammar is full of words that are
// keywords in one place and names in the next (left(), "value", year), arrows that are lambdas or JSON
// operators, typed literals, FROM-first queries and prefix aliases, which all need arbitrary lookahead
// and a little backtracking. The parser is a plain class, created per statement; there is no grammar
// to analyse at start-up.
import type * as A from './ast.js';
import { lexStatement, type LexedStatement, type Token, type TokenKind } from './lexer.js';
import {
  clauseWords,
  intervalUnits,
  isNameWord,
  nearKeyword,
  notImplicitAliases,
  reservedWords,
  typeFunctionNames,
} from './keywords.js';
import { decodeDollarString, decodeEscapeString, decodeNumber, decodeString } from './literals.js';
import type { Span } from './span.js';
import { sqlErrorAt } from './sql-error.js';
import { TokenCursor, tooDeepCode } from './token-cursor.js';

/**
 * DuckDB's default max_expression_depth: `1 + 1 + ...` with more terms fails there too. Deeper trees would
 * overflow the stack of this recursive parser and of the walks over its tree.
 */
const maxDepth = 1000;

/** Parses one statement (an optional trailing `;` is allowed); throws SqlError with phase 'lex' or 'parse'. */
/** Parses one statement; `lexed` is its tokens when the caller has them already (see splitStatements). */
export function parseStatement(source: string, lexed: LexedStatement = lexStatement(source)): A.Statement {
  if (lexed.error !== null) throw lexed.error;
  return new Parser(source, lexed.tokens).wholeStatement();
}


// Binding strength of operators, weakest first (PostgreSQL's table, which DuckDB follows).
const enum Prec {
  Lowest = 0,
  Or = 10,
  And = 20,
  Not = 30,
  Is = 40,
  Comparison = 50,
  Like = 60,
  Other = 70,
  Additive = 80,
  Multiplicative = 90,
  Exponent = 100,
  AtZone = 105,
  Unary = 110,
  Cast = 120,
  Postfix = 130,
}

const comparisonOperators = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>=']);
const likeWords = new Set(['LIKE', 'ILIKE', 'GLOB', 'SIMILAR']);
const joinWords = new Set([
  'NATURAL', 'ASOF', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'SEMI', 'ANTI', 'CROSS', 'POSITIONAL', 'JOIN',
]);
const specialCallWords = new Set(['EXTRACT', 'SUBSTRING', 'POSITION', 'TRIM', 'OVERLAY']);
const specialCallMarkers = new Set(['FROM', 'FOR', 'IN', 'PLACING', 'BOTH', 'LEADING', 'TRAILING']);
/** Words that start an expression although the grammar reserves them. */
const expressionWords = new Set([
  'CASE', 'CAST', 'TRY_CAST', 'NOT', 'EXISTS', 'TRUE', 'FALSE', 'NULL', 'INTERVAL', 'ARRAY',
]);
/** Second words of multi-word type names. */
const typeContinuations: Record<string, readonly string[]> = {
  DOUBLE: ['PRECISION'],
  CHARACTER: ['VARYING'],
  CHAR: ['VARYING'],
  TIMESTAMP: ['WITH', 'WITHOUT', 'TIME', 'ZONE'],
  TIME: ['WITH', 'WITHOUT', 'TIME', 'ZONE'],
  NATIONAL: ['CHARACTER', 'CHAR', 'VARYING'],
  // `INTERVAL DAY TO SECOND`: fields that DuckDB reads and ignores.
  INTERVAL: ['YEAR', 'YEARS', 'MONTH', 'MONTHS', 'DAY', 'DAYS', 'HOUR', 'HOURS', 'MINUTE', 'MINUTES', 'SECOND', 'SECONDS', 'TO'],
};

type IdentifierRule = 'name' | 'any-word' | 'function';

class Parser extends TokenCursor {
  wholeStatement(): A.Statement {
    let statement: A.Statement;
    try {
      statement = this.statement();
    } catch (error) {
      // maxDepth bounds expressions; subqueries in FROM nest deeper per level and can exhaust the stack first.
      if (!(error instanceof RangeError && /call stack/i.test(error.message))) throw error;
      const at = this.peek();
      throw sqlErrorAt('parse', tooDeepCode, `statement nested too deeply to parse (subqueries within subqueries): simplify it`, this.source, { start: at.start, end: at.end });
    }
    this.acceptKind(';');
    this.expectEnd();
    return statement;
  }

  // -------------------------------------------------------------------------------------------------
  // Names

  private isIdentifier(k = 0, rule: IdentifierRule = 'name'): boolean {
    const t = this.peek(k);
    if (t.kind === 'quoted-identifier') return true;
    if (t.kind !== 'word') return false;
    const w = this.word(k);
    switch (rule) {
      case 'name':
        return isNameWord(w);
      case 'function':
        return !reservedWords.has(w);
      case 'any-word':
        return true;
    }
  }

  private identifier(description = 'a name', rule: IdentifierRule = 'name'): A.Identifier {
    if (!this.isIdentifier(0, rule)) this.fail(description);
    const t = this.advance();
    if (t.kind === 'quoted-identifier') {
      return { kind: 'Identifier', name: t.text.slice(1, -1).replace(/""/g, '"'), quoted: true, span: tokenSpan(t) };
    }
    return { kind: 'Identifier', name: t.text, quoted: false, span: tokenSpan(t) };
  }

  private qualifiedName(description = 'a name'): A.QualifiedName {
    const start = this.start();
    const parts = [this.identifier(description)];
    while (this.isKind('.') && this.isIdentifier(1, 'any-word')) {
      this.advance();
      parts.push(this.identifier(description, 'any-word'));
    }
    return { kind: 'QualifiedName', parts, span: this.spanFrom(start) };
  }

  /** `(a, b, c)`. */
  private identifierList(): A.Identifier[] {
    this.expectKind('(');
    const names = [this.identifier('a column name')];
    while (this.acceptKind(',')) names.push(this.identifier('a column name'));
    this.expectKind(')');
    return names;
  }

  /** A string literal used as a name (`AS 'x'`, `{'a': 1}`), kept as a quoted identifier. */
  private stringAsIdentifier(): A.Identifier {
    const literal = this.stringLiteral();
    return { kind: 'Identifier', name: String(literal.value), quoted: true, span: literal.span };
  }

  private isString(k = 0): boolean {
    const kind = this.peek(k).kind;
    return kind === 'string' || kind === 'escape-string' || kind === 'dollar-string';
  }

  private stringLiteral(description = 'a string'): A.Literal {
    if (!this.isString()) this.fail(description);
    const t = this.advance();
    const value =
      t.kind === 'string'
        ? decodeString(t.text)
        : t.kind === 'escape-string'
          ? decodeEscapeString(t.text)
          : decodeDollarString(t.text);
    return { kind: 'Literal', literalType: 'string', value, span: tokenSpan(t) };
  }

  /** A type as written, up to its closing parenthesis and array brackets. */
  private typeName(): A.TypeName {
    const start = this.start();
    const first = this.identifier('a type name', 'any-word');
    const continuations = first.quoted ? undefined : typeContinuations[first.name.toUpperCase()];
    if (continuations !== undefined) {
      while (continuations.includes(this.word())) this.advance();
    }
    while (this.isKind('.') && this.isIdentifier(1, 'any-word')) {
      this.advance();
      this.advance();
    }
    if (this.isKind('(')) this.skipBalanced('(', ')');
    // Lists and arrays, also in the SQL standard's spelling: `INTEGER[]`, `INTEGER ARRAY[3]`, `INTEGER ARRAY ARRAY`.
    while (this.acceptWord('ARRAY') || this.isKind('[')) {
      if (this.isKind('[')) this.skipBalanced('[', ']');
    }
    const at = this.spanFrom(start);
    return { kind: 'TypeName', text: this.source.slice(at.start, at.end), span: at };
  }

  private skipBalanced(open: TokenKind, close: TokenKind): void {
    this.expectKind(open);
    let depth = 1;
    while (depth > 0) {
      const t = this.peek();
      if (t.kind === 'eof') this.fail(`'${close}'`);
      if (t.kind === open) depth++;
      else if (t.kind === close) depth--;
      this.advance();
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Statements

  private statement(): A.Statement {
    const start = this.start();
    if (this.acceptWord('EXPLAIN')) {
      const analyze = this.acceptWord('ANALYZE') || this.acceptWord('ANALYSE');
      const statement = this.statement();
      return { kind: 'ExplainStatement', analyze, statement, span: this.spanFrom(start) };
    }
    if (this.isWord('COPY')) return this.copyStatement();
    if (this.isWord('CREATE')) return this.createTableAs();
    if (this.isWord('INSERT')) return this.insertStatement(null);
    if (this.isWord('WITH')) {
      // `WITH s AS (...) INSERT ...`: the CTEs belong to the INSERT's query.
      const withClause = this.tryParse(() => {
        const clause = this.withClause();
        // Anything else is a query's own WITH: read again from the start as a query.
        if (!this.isWord('INSERT')) this.fail('INSERT');
        return clause;
      });
      if (withClause !== null) return this.insertStatement(withClause);
    }
    if (this.isQueryStart()) {
      const query = this.query();
      return { kind: 'SelectStatement', query, span: query.span };
    }
    if (this.isWord('PIVOT') || this.isWord('UNPIVOT')) {
      // A PIVOT statement, kept as text like a PIVOT in parentheses: model calls inside it are refused by name.
      const construct = this.word() as 'PIVOT' | 'UNPIVOT';
      while (!this.isKind('eof') && !this.isKind(';')) this.advance();
      const span = this.spanFrom(start);
      const from: A.OpaqueFrom = { kind: 'OpaqueFrom', construct, body: span, alias: null, span };
      return { kind: 'SelectStatement', query: this.fromOnlyQuery(from, span), span };
    }
    return this.fail('SELECT, WITH, FROM, VALUES, COPY, CREATE TABLE, INSERT or EXPLAIN');
  }

  private copyStatement(): A.CopyStatement {
    const start = this.start();
    this.expectWord('COPY');
    let source: A.Query | A.CopyTable;
    if (this.isKind('(')) {
      this.advance();
      source = this.query();
      this.expectKind(')');
    } else {
      const tableStart = this.start();
      const table = this.qualifiedName('a table name or (query)');
      const columns = this.isKind('(') ? this.identifierList() : null;
      source = { kind: 'CopyTable', table, columns, span: this.spanFrom(tableStart) };
    }
    let direction: 'to' | 'from' = 'to';
    if (source.kind === 'CopyTable' && this.acceptWord('FROM')) direction = 'from';
    else this.expectWord('TO');
    const target = this.stringLiteral('a file name string');
    const parenthesized = this.isKind('(') || (this.isWord('WITH') && this.isKind('(', 1));
    const options = parenthesized ? this.copyOptions() : this.isIdentifier(0, 'any-word') ? this.bareCopyOptions() : null;
    return { kind: 'CopyStatement', source, direction, target, options, span: this.spanFrom(start) };
  }

  private copyOptions(): A.CopyOptions {
    const start = this.start();
    this.acceptWord('WITH');
    this.expectKind('(');
    const options: A.CopyOption[] = [];
    if (!this.isKind(')')) {
      do {
        const optionStart = this.start();
        const name = this.identifier('an option name', 'any-word');
        const value = this.isKind(',') || this.isKind(')') ? null : this.expr();
        options.push({ kind: 'CopyOption', name, value, span: this.spanFrom(optionStart) });
      } while (this.acceptKind(','));
    }
    this.expectKind(')');
    return { kind: 'CopyOptions', options, span: this.spanFrom(start) };
  }

  /** PostgreSQL's older form, options without parentheses: `[WITH] CSV HEADER DELIMITER [AS] ','`. */
  private bareCopyOptions(): A.CopyOptions {
    const start = this.start();
    this.acceptWord('WITH');
    const options: A.CopyOption[] = [];
    while (this.isIdentifier(0, 'any-word')) {
      const optionStart = this.start();
      const name = this.identifier('an option name', 'any-word');
      const valueFollows = this.isString() || this.isKind('number') || (this.isWord('AS') && (this.isString(1) || this.isKind('number', 1)));
      if (valueFollows) this.acceptWord('AS');
      const value = valueFollows ? this.primary() : null;
      options.push({ kind: 'CopyOption', name, value, span: this.spanFrom(optionStart) });
      this.acceptKind(',');
    }
    return { kind: 'CopyOptions', options, span: this.spanFrom(start) };
  }

  private createTableAs(): A.CreateTableAsStatement {
    const start = this.start();
    this.expectWord('CREATE');
    let orReplace = false;
    if (this.acceptWord('OR')) {
      this.expectWord('REPLACE');
      orReplace = true;
    }
    const temporary = this.acceptWord('TEMP') || this.acceptWord('TEMPORARY');
    this.expectWord('TABLE');
    let ifNotExists = false;
    if (this.acceptWord('IF')) {
      this.expectWord('NOT');
      this.expectWord('EXISTS');
      ifNotExists = true;
    }
    const name = this.qualifiedName('a table name');
    const columns = this.isKind('(') ? this.identifierList() : null;
    this.expectWord('AS');
    const query = this.query();
    let noData = false;
    if (this.acceptWord('WITH')) {
      noData = this.acceptWord('NO');
      this.expectWord('DATA');
    }
    const span = this.spanFrom(start);
    return { kind: 'CreateTableAsStatement', orReplace, temporary, ifNotExists, name, columns, query, noData, span };
  }

  private insertStatement(withClause: A.WithClause | null): A.InsertStatement {
    const start = withClause?.span.start ?? this.start();
    this.expectWord('INSERT');
    let conflict: 'replace' | 'ignore' | null = null;
    if (this.acceptWord('OR')) {
      if (this.acceptWord('REPLACE')) conflict = 'replace';
      else if (this.acceptWord('IGNORE')) conflict = 'ignore';
      else this.fail('REPLACE or IGNORE');
    }
    this.expectWord('INTO');
    const table = this.qualifiedName('a table name');
    const alias = this.acceptWord('AS') ? this.identifier('an alias') : null;
    const columns = this.isKind('(') && !this.isQueryStart(1) ? this.identifierList() : null;
    let byName = false;
    if (this.acceptWord('BY')) {
      if (this.acceptWord('NAME')) byName = true;
      else this.expectWord('POSITION');
    }
    let query = this.query();
    if (withClause !== null) {
      if (query.with !== null) {
        throw sqlErrorAt('parse', 'unexpected-token', 'expected one WITH clause, before INSERT or in its query, found a second', this.source, query.with.span);
      }
      query = { ...query, with: withClause };
    }
    const onConflict = this.isWord('ON') && this.word(1) === 'CONFLICT' ? this.onConflict() : null;
    const returning = this.acceptWord('RETURNING') ? this.selectList() : null;
    const span = this.spanFrom(start);
    return { kind: 'InsertStatement', conflict, table, alias, columns, byName, query, onConflict, returning, span };
  }

  private onConflict(): A.OnConflict {
    const start = this.start();
    this.expectWord('ON');
    this.expectWord('CONFLICT');
    const target = this.isKind('(') ? this.identifierList() : null;
    const targetWhere = target !== null && this.acceptWord('WHERE') ? this.expr() : null;
    this.expectWord('DO');
    const set: A.Assignment[] = [];
    let where: A.Expression | null = null;
    let action: 'nothing' | 'update' = 'nothing';
    if (!this.acceptWord('NOTHING')) {
      this.expectWord('UPDATE');
      this.expectWord('SET');
      action = 'update';
      do {
        const assignmentStart = this.start();
        const column = this.identifier('a column name', 'any-word');
        if (!this.acceptOp('=')) this.fail("'='");
        const value = this.expr();
        set.push({ kind: 'Assignment', column, value, span: this.spanFrom(assignmentStart) });
      } while (this.acceptKind(','));
      where = this.acceptWord('WHERE') ? this.expr() : null;
    }
    return { kind: 'OnConflict', target, targetWhere, action, set, where, span: this.spanFrom(start) };
  }

  // -------------------------------------------------------------------------------------------------
  // Queries

  private isQueryStart(k = 0): boolean {
    // A loop, not recursion, and no further than the parser will go: thousands of nested parentheses
    // must neither overflow the stack nor be scanned again at every level.
    for (let n = 0; n <= maxDepth && this.peek(k).kind === '('; n++) k++;
    const w = this.word(k);
    return w === 'SELECT' || w === 'WITH' || w === 'FROM' || w === 'VALUES' || (w === 'TABLE' && this.isIdentifier(k + 1));
  }

  private query(): A.Query {
    const start = this.start();
    const outer = this.deeper();
    try {
      return this.queryAt(start);
    } finally {
      this.depth = outer;
    }
  }

  private queryAt(start: number): A.Query {
    const withClause = this.isWord('WITH') ? this.withClause() : null;
    const body = this.setExpression();
    const orderBy = this.isWord('ORDER') ? this.orderByClause() : null;
    const limit = this.limitClause();
    return { kind: 'Query', with: withClause, body, orderBy, limit, span: this.spanFrom(start) };
  }

  private withClause(): A.WithClause {
    const start = this.start();
    this.expectWord('WITH');
    const recursive = this.acceptWord('RECURSIVE');
    const ctes: A.CommonTableExpression[] = [];
    do {
      const cteStart = this.start();
      const name = this.isString() ? this.stringAsIdentifier() : this.identifier('a CTE name');
      const columns = this.isKind('(') ? this.identifierList() : null;
      // `WITH RECURSIVE t(k, v) USING KEY (k) AS (...)`: rows replaced by key as the recursion goes.
      if (this.isWord('USING') && this.word(1) === 'KEY') {
        this.advance();
        this.advance();
        this.identifierList();
      }
      this.expectWord('AS');
      let materialized: boolean | null = null;
      if (this.acceptWord('NOT')) {
        this.expectWord('MATERIALIZED');
        materialized = false;
      } else if (this.acceptWord('MATERIALIZED')) {
        materialized = true;
      }
      const query = this.isKind('(') && this.opaqueStatementAhead() !== null ? this.opaqueQuery() : this.parenthesizedQuery();
      ctes.push({ kind: 'CommonTableExpression', name, columns, materialized, query, span: this.spanFrom(cteStart) });
    } while (this.acceptKind(','));
    return { kind: 'WithClause', recursive, ctes, span: this.spanFrom(start) };
  }

  private parenthesizedQuery(): A.Query {
    this.expectKind('(');
    const query = this.query();
    this.expectKind(')');
    return query;
  }

  /**
   * A CTE whose body is a statement kept as text, `WITH p AS (PIVOT t ON k ...)`: the query `FROM (<it>)`,
   * as DuckDB reads it.
   */
  private opaqueQuery(): A.Query {
    const start = this.start();
    const construct = this.opaqueStatementAhead()!;
    this.skipBalanced('(', ')');
    const span = this.spanFrom(start);
    return this.fromOnlyQuery({ kind: 'OpaqueFrom', construct, body: span, alias: null, span }, span);
  }

  /** The query `FROM <from>`. */
  private fromOnlyQuery(from: A.OpaqueFrom, span: Span): A.Query {
    const body: A.SelectCore = {
      kind: 'SelectCore', fromFirst: true, distinct: null, items: [], from: [from], where: null, groupBy: null, having: null, windows: [], qualify: null, sample: null, span,
    };
    return { kind: 'Query', with: null, body, orderBy: null, limit: null, span };
  }

  /** UNION and EXCEPT, left-associative, over INTERSECT terms (which bind tighter). */
  private setExpression(): A.QueryBody {
    const start = this.start();
    let left = this.intersectTerm();
    for (;;) {
      const operator = this.isWord('UNION') ? 'union' : this.isWord('EXCEPT') ? 'except' : null;
      if (operator === null) return left;
      this.advance();
      const { quantifier, byName } = this.setQuantifier();
      const right = this.intersectTerm();
      left = { kind: 'SetOperation', operator, quantifier, byName, left, right, span: this.spanFrom(start) };
    }
  }

  private intersectTerm(): A.QueryBody {
    const start = this.start();
    let left = this.queryPrimary();
    while (this.acceptWord('INTERSECT')) {
      const { quantifier, byName } = this.setQuantifier();
      const right = this.queryPrimary();
      const span = this.spanFrom(start);
      left = { kind: 'SetOperation', operator: 'intersect', quantifier, byName, left, right, span };
    }
    return left;
  }

  private setQuantifier(): { quantifier: 'all' | 'distinct' | null; byName: boolean } {
    const quantifier = this.acceptWord('ALL') ? 'all' : this.acceptWord('DISTINCT') ? 'distinct' : null;
    let byName = false;
    if (this.acceptWord('BY')) {
      this.expectWord('NAME');
      byName = true;
    }
    return { quantifier, byName };
  }

  private queryPrimary(): A.QueryBody {
    const start = this.start();
    if (this.isKind('(')) {
      this.advance();
      const query = this.query();
      this.expectKind(')');
      return { kind: 'ParenthesizedQuery', query, span: this.spanFrom(start) };
    }
    if (this.isWord('VALUES')) return this.valuesList();
    if (this.isWord('SELECT') || this.isWord('FROM')) return this.selectCore();
    if (this.acceptWord('TABLE')) {
      const table = this.qualifiedName('a table name');
      return { kind: 'TableQuery', table, span: this.spanFrom(start) };
    }
    return this.fail('SELECT');
  }

  private valuesList(): A.ValuesList {
    const start = this.start();
    this.expectWord('VALUES');
    const rows: A.ValuesRow[] = [];
    do {
      const rowStart = this.start();
      this.expectKind('(');
      const values: A.Expression[] = [];
      while (!this.isKind(')')) {
        const t = this.peek();
        values.push(this.isWord('DEFAULT') ? (this.advance(), { kind: 'DefaultValue', span: tokenSpan(t) }) : this.expr());
        if (!this.acceptKind(',')) break;
      }
      this.expectKind(')');
      rows.push({ kind: 'ValuesRow', values, span: this.spanFrom(rowStart) });
      // A trailing comma after the last row: `VALUES (1), (2), )`.
    } while (this.acceptKind(',') && this.isKind('('));
    return { kind: 'ValuesList', rows, span: this.spanFrom(start) };
  }

  private selectCore(): A.SelectCore {
    const start = this.start();
    let fromFirst = false;
    let from: A.FromItem[] = [];
    if (this.acceptWord('FROM')) {
      fromFirst = true;
      from = this.fromList();
    }
    let distinct: A.Distinct | null = null;
    let items: A.SelectItem[] = [];
    if (!fromFirst) this.expectWord('SELECT');
    if (!fromFirst || this.acceptWord('SELECT')) {
      distinct = this.distinctClause();
      items = this.selectList();
    }
    if (!fromFirst && this.acceptWord('FROM')) from = this.fromList();
    const where = this.acceptWord('WHERE') ? this.expr() : null;
    const groupBy = this.isWord('GROUP') ? this.groupByClause() : null;
    const having = this.acceptWord('HAVING') ? this.expr() : null;
    const windows: A.WindowDefinition[] = [];
    if (this.acceptWord('WINDOW')) {
      do {
        const windowStart = this.start();
        const name = this.identifier('a window name');
        this.expectWord('AS');
        const spec = this.windowSpec();
        windows.push({ kind: 'WindowDefinition', name, spec, span: this.spanFrom(windowStart) });
      } while (this.acceptKind(','));
    }
    const qualify = this.acceptWord('QUALIFY') ? this.expr() : null;
    const sample = this.isWord('USING') && this.word(1) === 'SAMPLE' ? this.sampleClause() : null;
    return {
      kind: 'SelectCore',
      fromFirst,
      distinct,
      items,
      from,
      where,
      groupBy,
      having,
      windows,
      qualify,
      sample,
      span: this.spanFrom(start),
    };
  }

  /**
   * `USING SAMPLE ...` or `TABLESAMPLE ...`: `10%`, `10 PERCENT (bernoulli, 5)`, `50 ROWS`,
   * `reservoir(50 ROWS) REPEATABLE (100)`. Kept as text.
   */
  private sampleClause(): A.SampleClause {
    const start = this.start();
    if (!this.acceptWord('TABLESAMPLE')) {
      this.expectWord('USING');
      this.expectWord('SAMPLE');
    }
    if (this.isIdentifier(0, 'any-word') && this.peek(1).kind === '(') {
      this.advance();
      this.skipBalanced('(', ')');
    } else {
      this.expr(Prec.Multiplicative);
      if (!this.acceptOp('%') && !this.acceptWord('PERCENT')) this.acceptWord('ROWS');
      if (this.isKind('(')) this.skipBalanced('(', ')');
    }
    if (this.acceptWord('REPEATABLE')) this.skipBalanced('(', ')');
    const at = this.spanFrom(start);
    return { kind: 'SampleClause', text: this.source.slice(at.start, at.end), span: at };
  }

  private distinctClause(): A.Distinct | null {
    const start = this.start();
    if (this.acceptWord('ALL')) return null;
    if (!this.acceptWord('DISTINCT')) return null;
    let on: A.Expression[] | null = null;
    if (this.acceptWord('ON')) {
      this.expectKind('(');
      on = this.expressionList(')');
      this.expectKind(')');
    }
    return { kind: 'Distinct', on, span: this.spanFrom(start) };
  }

  /** Select items; DuckDB allows a trailing comma before the next clause. */
  private selectList(): A.SelectItem[] {
    const items = [this.selectItem()];
    while (this.acceptKind(',')) {
      if (!this.canStartExpression(this.peek()) && !this.isIdentifier()) break;
      items.push(this.selectItem());
    }
    return items;
  }

  private selectItem(): A.SelectItem {
    const start = this.start();
    // DuckDB's prefix alias: `total: a + b`.
    if (this.isIdentifier(0, 'any-word') && this.peek(1).kind === ':') {
      const alias = this.identifier('an alias', 'any-word');
      this.advance();
      const expression = this.expr();
      return { kind: 'SelectItem', expression, alias, span: this.spanFrom(start) };
    }
    const expression = this.expr();
    // `* AS name` names the star's one column (DuckDB's error when it has more).
    const alias = expression.kind === 'Star' && !this.isWord('AS') ? null : this.optionalAlias();
    return { kind: 'SelectItem', expression, alias, span: this.spanFrom(start) };
  }

  /** `AS name`, `AS 'name'`, or a name written without AS. */
  private optionalAlias(): A.Identifier | null {
    if (this.acceptWord('AS')) {
      return this.isString() ? this.stringAsIdentifier() : this.identifier('an alias', 'any-word');
    }
    const t = this.peek();
    if (t.kind === 'quoted-identifier') return this.identifier();
    if (t.kind !== 'word' || !isNameWord(this.word()) || notImplicitAliases.has(this.word())) return null;
    this.rejectMisspeltClause();
    return this.identifier();
  }

  /**
   * Before reading a word as an alias written without AS: `SELECT a FORM t`, `FROM t WHRE x`. A
   * misspelt clause keyword followed by a name is reported as such; an alias is never followed by one.
   */
  private rejectMisspeltClause(): void {
    const next = this.peek(1);
    if (next.kind === 'word' ? isNameWord(this.word(1)) : next.kind === 'quoted-identifier' || this.isString(1)) {
      const near = nearKeyword(this.peek().text, clauseWords);
      if (near !== undefined) this.fail(near);
    }
  }

  private groupByClause(): A.GroupBy {
    const start = this.start();
    this.expectWord('GROUP');
    this.expectWord('BY');
    if (this.acceptWord('ALL')) return { kind: 'GroupBy', all: true, items: [], span: this.spanFrom(start) };
    const items: (A.Expression | A.GroupingSets)[] = [];
    do items.push(this.isGroupingSets() ? this.groupingSets() : this.expr());
    while (this.acceptKind(',') && !this.endsClause());
    return { kind: 'GroupBy', all: false, items, span: this.spanFrom(start) };
  }

  private isGroupingSets(): boolean {
    return this.isWord('GROUPING') && this.word(1) === 'SETS';
  }

  private groupingSets(): A.GroupingSets {
    const start = this.start();
    const outer = this.deeper();
    try {
      this.advance();
      this.advance();
      this.expectKind('(');
      const sets: (A.Expression | A.GroupingSets)[] = [];
      while (!this.isKind(')')) {
        sets.push(this.isGroupingSets() ? this.groupingSets() : this.expr());
        if (!this.acceptKind(',')) break;
      }
      this.expectKind(')');
      return { kind: 'GroupingSets', sets, span: this.spanFrom(start) };
    } finally {
      this.depth = outer;
    }
  }

  private orderByClause(): A.OrderBy {
    const start = this.start();
    this.expectWord('ORDER');
    this.expectWord('BY');
    return { kind: 'OrderBy', items: this.orderItems(), span: this.spanFrom(start) };
  }

  private orderItems(): A.OrderItem[] {
    const items: A.OrderItem[] = [];
    do {
      const start = this.start();
      const expression = this.acceptWord('ALL') ? null : this.expr();
      const direction = this.acceptWord('ASC') ? 'asc' : this.acceptWord('DESC') ? 'desc' : null;
      let nulls: 'first' | 'last' | null = null;
      if (this.acceptWord('NULLS')) {
        if (this.acceptWord('FIRST')) nulls = 'first';
        else if (this.acceptWord('LAST')) nulls = 'last';
        else this.fail('FIRST or LAST');
      }
      items.push({ kind: 'OrderItem', expression, direction, nulls, span: this.spanFrom(start) });
    } while (this.acceptKind(','));
    return items;
  }

  private limitClause(): A.LimitClause | null {
    const start = this.start();
    let limit: A.Expression | null = null;
    let percent = false;
    let offset: A.Expression | null = null;
    let seen = false;
    let limitSeen = false;
    for (;;) {
      if (!limitSeen && this.acceptWord('LIMIT')) {
        seen = limitSeen = true;
        // `LIMIT ALL`: no limit.
        if (!this.acceptWord('ALL')) {
          limit = this.expr();
          percent = this.acceptOp('%') || this.acceptWord('PERCENT');
        }
      } else if (offset === null && this.acceptWord('OFFSET')) {
        seen = true;
        offset = this.expr();
        if (!this.acceptWord('ROWS')) this.acceptWord('ROW');
      } else if (!limitSeen && this.acceptWord('FETCH')) {
        // SQL's `FETCH FIRST|NEXT n ROW|ROWS ONLY`: LIMIT n.
        seen = limitSeen = true;
        if (!this.acceptWord('FIRST')) this.expectWord('NEXT');
        limit = this.expr();
        if (!this.acceptWord('ROWS')) this.expectWord('ROW');
        this.expectWord('ONLY');
      } else {
        break;
      }
    }
    return seen ? { kind: 'LimitClause', limit, percent, offset, span: this.spanFrom(start) } : null;
  }

  // -------------------------------------------------------------------------------------------------
  // FROM

  private fromList(): A.FromItem[] {
    const items = [this.fromItem()];
    while (this.acceptKind(',') && !this.endsClause()) items.push(this.fromItem());
    return items;
  }

  /** A list's end after a trailing comma, which DuckDB allows: the statement's or the query's end, or the next clause. */
  private endsClause(): boolean {
    const kind = this.peek().kind;
    if (kind === ')' || kind === ';' || kind === 'eof') return true;
    return kind === 'word' && ['WHERE', 'GROUP', 'HAVING', 'WINDOW', 'QUALIFY', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'UNION', 'INTERSECT', 'EXCEPT', 'USING'].includes(this.word());
  }

  private fromItem(): A.FromItem {
    const start = this.start();
    let left = this.pivoted(this.fromPrimary(), start);
    for (;;) {
      if (!joinWords.has(this.word())) {
        this.note('JOIN');
        return left;
      }
      let joinType: A.JoinType = 'inner';
      let natural = false;
      let asof = false;
      if (this.acceptWord('CROSS')) joinType = 'cross';
      else if (this.acceptWord('POSITIONAL')) joinType = 'positional';
      else {
        for (;;) {
          if (this.acceptWord('NATURAL')) natural = true;
          else if (this.acceptWord('ASOF')) asof = true;
          else break;
        }
        if (this.acceptWord('LEFT')) joinType = 'left';
        else if (this.acceptWord('RIGHT')) joinType = 'right';
        else if (this.acceptWord('FULL')) joinType = 'full';
        else if (this.acceptWord('INNER')) joinType = 'inner';
        if (joinType !== 'inner') this.acceptWord('OUTER');
        if (this.acceptWord('SEMI')) joinType = 'semi';
        else if (this.acceptWord('ANTI')) joinType = 'anti';
      }
      this.expectWord('JOIN');
      const rightStart = this.start();
      const right = this.pivoted(this.fromPrimary(), rightStart);
      let on: A.Expression | null = null;
      let using: A.Identifier[] | null = null;
      if (this.acceptWord('ON')) on = this.expr();
      else if (this.acceptWord('USING')) using = this.identifierList();
      left = { kind: 'JoinedFrom', joinType, natural, asof, left, right, on, using, span: this.spanFrom(start) };
    }
  }

  /** `t PIVOT (...) [alias]`, `t UNPIVOT [INCLUDE NULLS] (...) [alias]`, repeated: kept as text. */
  private pivoted(item: A.FromItem, start: number): A.FromItem {
    let result = item;
    for (;;) {
      const construct = this.word();
      if (construct !== 'PIVOT' && construct !== 'UNPIVOT') return result;
      const k = construct === 'UNPIVOT' && this.word(1) === 'INCLUDE' ? 3 : construct === 'UNPIVOT' && this.word(1) === 'EXCLUDE' ? 3 : 1;
      if (this.peek(k).kind !== '(') return result;
      for (let i = 0; i < k; i++) this.advance();
      this.skipBalanced('(', ')');
      const body = this.spanFrom(start);
      const alias = this.tableAlias();
      result = { kind: 'OpaqueFrom', construct, body, alias, span: this.spanFrom(start) };
    }
  }

  /** Statements DuckDB reads as a relation in parentheses: `FROM (DESCRIBE t)`, `FROM (PIVOT t ON k)`. */
  private static readonly opaqueStatements: ReadonlySet<string> = new Set(['DESCRIBE', 'SUMMARIZE', 'SHOW', 'PIVOT', 'UNPIVOT']);

  /**
   * The statement kept as text that the `(` here opens, if it is one: also a PIVOT after a WITH clause,
   * `(WITH s AS (...) PIVOT s ON k)`, whose CTEs belong to it.
   */
  private opaqueStatementAhead(): A.OpaqueFrom['construct'] | null {
    const word = this.word(1);
    if (word === 'DESC') return 'DESCRIBE';
    if (Parser.opaqueStatements.has(word)) return word as A.OpaqueFrom['construct'];
    if (word !== 'WITH') return null;
    const after = this.tryParse(() => {
      const from = this.pos;
      this.advance();
      this.withClause();
      const next = this.word();
      this.pos = from;
      return next;
    });
    return after === 'PIVOT' || after === 'UNPIVOT' ? after : null;
  }

  private fromPrimary(): A.FromItem {
    const start = this.start();
    // DuckDB's prefix alias: `FROM x : t`, `FROM 'x' : t`.
    if ((this.isIdentifier() || this.isString()) && this.peek(1).kind === ':') {
      const name = this.isString() ? this.stringAsIdentifier() : this.identifier('an alias');
      const alias: A.TableAlias = { kind: 'TableAlias', name, columns: null, span: name.span };
      this.advance();
      const item = this.fromPrimary();
      if (!('alias' in item) || item.alias !== null) return this.fail('a table without an alias after the prefix alias');
      return { ...item, alias, span: this.spanFrom(start) } as A.FromItem;
    }
    if (this.isWord('VALUES')) {
      // `FROM VALUES (1), (2) v(b)`: the rows as a relation.
      const values = this.valuesList();
      const query: A.Query = { kind: 'Query', with: null, body: values, orderBy: null, limit: null, span: values.span };
      const alias = this.tableAlias();
      return { kind: 'SubqueryRef', lateral: false, query, alias, sample: null, span: this.spanFrom(start) };
    }
    const lateral = this.acceptWord('LATERAL');
    const opaque = this.isKind('(') ? this.opaqueStatementAhead() : null;
    if (opaque !== null) {
      const construct = opaque;
      this.skipBalanced('(', ')');
      const body = this.spanFrom(start);
      const alias = this.tableAlias();
      return { kind: 'OpaqueFrom', construct, body, alias, span: this.spanFrom(start) };
    }
    if (this.isKind('(')) {
      const subquery = (): A.SubqueryRef => {
        this.advance();
        const query = this.query();
        this.expectKind(')');
        const alias = this.tableAlias();
        const sample = this.tableSample();
        return { kind: 'SubqueryRef', lateral, query, alias, sample, span: this.spanFrom(start) };
      };
      // `((VALUES (1)) AS t1 (a) CROSS JOIN ...)` opens like a subquery but is a join in parentheses:
      // when it does not read as a subquery and does as a join, it is the join.
      if (this.isQueryStart(1)) return this.tryParse(subquery) ?? this.tryParse(() => this.parenthesizedFrom(start)) ?? subquery();
      return this.parenthesizedFrom(start);
    }
    if (this.isString()) {
      const path = this.stringLiteral();
      const alias = this.tableAlias();
      const sample = this.tableSample();
      return { kind: 'FileRef', path, alias, sample, span: this.spanFrom(start) };
    }
    const name = this.qualifiedNameForCall('a table name, file name or (subquery)');
    if (this.isKind('(')) {
      const call = this.functionCall(name, false);
      const ordinality = this.isWord('WITH') && this.word(1) === 'ORDINALITY';
      if (ordinality) {
        this.advance();
        this.advance();
      }
      const alias = this.tableAlias();
      const sample = this.tableSample();
      return { kind: 'TableFunctionRef', lateral, call, ordinality, alias, sample, span: this.spanFrom(start) };
    }
    const alias = this.tableAlias();
    const sample = this.tableSample();
    return { kind: 'TableRef', name, alias, sample, span: this.spanFrom(start) };
  }

  private parenthesizedFrom(start: number): A.ParenthesizedFrom {
    this.expectKind('(');
    const item = this.fromItem();
    this.expectKind(')');
    const alias = this.tableAlias();
    return { kind: 'ParenthesizedFrom', item, alias, span: this.spanFrom(start) };
  }

  private tableSample(): A.SampleClause | null {
    return this.isWord('TABLESAMPLE') ? this.sampleClause() : null;
  }

  /** A dotted name whose first part may be a function-only word when a call follows. */
  private qualifiedNameForCall(description: string): A.QualifiedName {
    const start = this.start();
    const callFollows = this.peek(1).kind === '(';
    const rule = callFollows || (this.peek().kind === 'word' && typeFunctionNames.has(this.word())) ? 'function' : 'name';
    const parts = [this.identifier(description, rule)];
    while (this.isKind('.') && this.isIdentifier(1, 'any-word')) {
      this.advance();
      parts.push(this.identifier(description, 'any-word'));
    }
    return { kind: 'QualifiedName', parts, span: this.spanFrom(start) };
  }

  private tableAlias(): A.TableAlias | null {
    const start = this.start();
    let name: A.Identifier;
    const w = this.word();
    if (this.acceptWord('AS')) {
      name = this.isString() ? this.stringAsIdentifier() : this.identifier('an alias');
    } else if ((w === 'PIVOT' || w === 'UNPIVOT') && (this.peek(1).kind === '(' || this.word(1) === 'INCLUDE' || this.word(1) === 'EXCLUDE')) {
      return null;
    } else if ((this.isIdentifier() || (this.peek().kind === 'word' && typeFunctionNames.has(w))) && w !== 'AT') {
      // Words that may follow an expression (`current`, `rows`, `filter`) cannot follow a relation: in
      // FROM they are aliases, as DuckDB reads them; `AT (VERSION => ...)` alone follows a table.
      if (this.peek().kind === 'word') this.rejectMisspeltClause();
      name = this.identifier('an alias', 'any-word');
    } else {
      return null;
    }
    const columns = this.isKind('(') ? this.aliasColumns() : null;
    return { kind: 'TableAlias', name, columns, span: this.spanFrom(start) };
  }

  /** A table alias's column names, which DuckDB also takes as strings: `AS t('k')`. */
  private aliasColumns(): A.Identifier[] {
    this.expectKind('(');
    const names: A.Identifier[] = [];
    do names.push(this.isString() ? this.stringAsIdentifier() : this.identifier('a column name'));
    while (this.acceptKind(','));
    this.expectKind(')');
    return names;
  }

  // -------------------------------------------------------------------------------------------------
  // Window specifications

  private windowSpec(): A.WindowSpec {
    const start = this.start();
    this.expectKind('(');
    let baseName: A.Identifier | null = null;
    const w = this.word();
    if (this.isIdentifier() && w !== 'PARTITION' && w !== 'ORDER' && w !== 'ROWS' && w !== 'RANGE' && w !== 'GROUPS') {
      baseName = this.identifier();
    }
    let partitionBy: A.Expression[] = [];
    if (this.acceptWord('PARTITION')) {
      this.expectWord('BY');
      partitionBy = this.expressionList(')');
    }
    let orderBy: A.OrderItem[] = [];
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      orderBy = this.orderItems();
    }
    const frame = this.isWord('ROWS') || this.isWord('RANGE') || this.isWord('GROUPS') ? this.windowFrame() : null;
    this.expectKind(')');
    return { kind: 'WindowSpec', baseName, partitionBy, orderBy, frame, span: this.spanFrom(start) };
  }

  private windowFrame(): A.WindowFrame {
    const start = this.start();
    const units = this.advance().text.toLowerCase() as 'rows' | 'range' | 'groups';
    let frameStart: A.FrameBound;
    let frameEnd: A.FrameBound | null = null;
    if (this.acceptWord('BETWEEN')) {
      frameStart = this.frameBound();
      this.expectWord('AND');
      frameEnd = this.frameBound();
    } else {
      frameStart = this.frameBound();
    }
    let exclude: A.WindowFrame['exclude'] = null;
    if (this.acceptWord('EXCLUDE')) {
      if (this.acceptWord('CURRENT')) {
        this.expectWord('ROW');
        exclude = 'current-row';
      } else if (this.acceptWord('GROUP')) {
        exclude = 'group';
      } else if (this.acceptWord('TIES')) {
        exclude = 'ties';
      } else if (this.acceptWord('NO')) {
        this.expectWord('OTHERS');
        exclude = 'no-others';
      } else {
        this.fail('CURRENT ROW, GROUP, TIES or NO OTHERS');
      }
    }
    return { kind: 'WindowFrame', units, start: frameStart, end: frameEnd, exclude, span: this.spanFrom(start) };
  }

  private frameBound(): A.FrameBound {
    const start = this.start();
    if (this.acceptWord('UNBOUNDED')) {
      if (this.acceptWord('PRECEDING')) {
        return { kind: 'FrameBound', bound: 'unbounded-preceding', offset: null, span: this.spanFrom(start) };
      }
      this.expectWord('FOLLOWING');
      return { kind: 'FrameBound', bound: 'unbounded-following', offset: null, span: this.spanFrom(start) };
    }
    if (this.acceptWord('CURRENT')) {
      this.expectWord('ROW');
      return { kind: 'FrameBound', bound: 'current-row', offset: null, span: this.spanFrom(start) };
    }
    const offset = this.expr(Prec.And);
    let bound: 'preceding' | 'following' = 'preceding';
    if (!this.acceptWord('PRECEDING')) {
      this.expectWord('FOLLOWING');
      bound = 'following';
    }
    return { kind: 'FrameBound', bound, offset, span: this.spanFrom(start) };
  }

  // -------------------------------------------------------------------------------------------------
  // Expressions

  /** Comma-separated expressions up to (not including) `close`; empty when `close` comes first. */
  private expressionList(close: TokenKind): A.Expression[] {
    const items: A.Expression[] = [];
    if (this.isKind(close)) return items;
    do items.push(this.expr());
    while (this.acceptKind(','));
    return items;
  }

  private canStartExpression(t: Token): boolean {
    switch (t.kind) {
      case 'number':
      case 'string':
      case 'escape-string':
      case 'dollar-string':
      case 'parameter':
      case 'quoted-identifier':
      case '(':
      case '[':
      case '{':
        return true;
      case 'operator':
        return ['-', '+', '~', '*', '@', '#'].includes(t.text);
      case 'word': {
        const w = t.text.toUpperCase();
        return !reservedWords.has(w) || expressionWords.has(w);
      }
      default:
        return false;
    }
  }

  /** An expression of operators binding tighter than `minPrec`. */
  private expr(minPrec: Prec = Prec.Lowest): A.Expression {
    const start = this.start();
    const outer = this.deeper();
    try {
      let left = this.prefix();
      for (;;) {
        const next = this.infix(left, start, minPrec);
        if (next === null) return left;
        left = next;
        // Each step of a chain (`1 + 1 + ...`) puts the tree one level deeper.
        this.deeper();
      }
    } finally {
      this.depth = outer;
    }
  }

  /** How deep the expressions and queries being parsed are nested, chains counted as nesting. */
  private depth = 0;

  /**
   * One level deeper, refused past maxDepth with an error at the token reached: recursion over a deeper
   * tree (here, in the planner, in DuckDB) overflows the stack. Returns the depth before, to restore.
   */
  private deeper(): number {
    const outer = this.depth;
    if (++this.depth > maxDepth) {
      const at = this.peek();
      throw sqlErrorAt('parse', tooDeepCode, `expression nested more than ${maxDepth} levels deep (parentheses, subqueries or a chain of operators): simplify it`, this.source, { start: at.start, end: at.end });
    }
    return outer;
  }

  private prefix(): A.Expression {
    const start = this.start();
    const t = this.peek();
    if (t.kind === 'operator' && (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '@')) {
      this.advance();
      // As in PostgreSQL, prefix operators other than the signs take everything that binds tighter than
      // a generic operator: `~1 + 1` is `~(1 + 1)`.
      const operand = this.expr(t.text === '-' || t.text === '+' ? Prec.Unary : Prec.Other);
      // A negative number is one literal, so model-function arguments like -1 count as constants.
      const adjacent = operand.span.start === t.end;
      if (t.text === '-' && adjacent && operand.kind === 'Literal' && typeof operand.value === 'number') {
        return { kind: 'Literal', literalType: 'number', value: -operand.value, span: this.spanFrom(start) };
      }
      return { kind: 'UnaryOp', operator: t.text, operand, span: this.spanFrom(start) };
    }
    if (this.acceptWord('NOT')) {
      const operand = this.expr(Prec.Not);
      return { kind: 'UnaryOp', operator: 'NOT', operand, span: this.spanFrom(start) };
    }
    return this.primary();
  }

  /** One infix or postfix step on `left`, or null when the next token binds no tighter than `minPrec`. */
  private infix(left: A.Expression, start: number, minPrec: Prec): A.Expression | null {
    const t = this.peek();
    const binary = (operator: string, prec: Prec): A.Expression | null => {
      if (prec <= minPrec) return null;
      this.advance();
      const right = this.expr(prec);
      return { kind: 'BinaryOp', operator, left, right, span: this.spanFrom(start) };
    };
    switch (t.kind) {
      case 'operator': {
        const op = t.text;
        if (op === '::') {
          if (Prec.Cast <= minPrec) return null;
          this.advance();
          const type = this.typeName();
          return { kind: 'Cast', syntax: 'double-colon', expression: left, type, span: this.spanFrom(start) };
        }
        if (op === ':=' || op === '=>') return null;
        if (op === '!' && !this.canStartExpression(this.peek(1))) {
          // Postfix factorial, `3!`; like PostgreSQL's postfix operators it takes all that binds tighter
          // than a generic operator: `2 * 3!` is `(2 * 3)!`.
          if (Prec.Other <= minPrec) return null;
          this.advance();
          return { kind: 'UnaryOp', operator: '!', operand: left, span: this.spanFrom(start) };
        }
        if (comparisonOperators.has(op)) return binary(op, Prec.Comparison);
        if (op === '+' || op === '-') return binary(op, Prec.Additive);
        // `LIMIT 10%`: a % with nothing after it is the percent sign, not modulo.
        if (op === '%' && !this.canStartExpression(this.peek(1))) return null;
        if (op === '*' || op === '/' || op === '//' || op === '%') return binary(op, Prec.Multiplicative);
        if (op === '^' || op === '**') return binary(op, Prec.Exponent);
        return binary(op, Prec.Other);
      }
      case '[':
        return Prec.Postfix <= minPrec ? null : this.subscript(left, start);
      case '.':
        return Prec.Postfix <= minPrec ? null : this.member(left, start);
      case 'word':
        return this.keywordInfix(left, start, minPrec);
      default:
        return null;
    }
  }

  private keywordInfix(left: A.Expression, start: number, minPrec: Prec): A.Expression | null {
    const w = this.word();
    this.note('AND');
    this.note('OR');
    if (w === 'OR' || w === 'AND') {
      const prec = w === 'OR' ? Prec.Or : Prec.And;
      if (prec <= minPrec) return null;
      this.advance();
      const right = this.expr(prec);
      return { kind: 'BinaryOp', operator: w, left, right, span: this.spanFrom(start) };
    }
    if (w === 'IS' || w === 'ISNULL' || w === 'NOTNULL') {
      if (Prec.Is <= minPrec) return null;
      this.advance();
      if (w !== 'IS') return { kind: 'IsNull', negated: w === 'NOTNULL', expression: left, span: this.spanFrom(start) };
      const negated = this.acceptWord('NOT');
      if (this.acceptWord('NULL')) return { kind: 'IsNull', negated, expression: left, span: this.spanFrom(start) };
      if (this.acceptWord('DISTINCT')) {
        this.expectWord('FROM');
        const right = this.expr(Prec.Is);
        return { kind: 'IsDistinctFrom', negated, left, right, span: this.spanFrom(start) };
      }
      let value: boolean | null;
      if (this.acceptWord('TRUE')) value = true;
      else if (this.acceptWord('FALSE')) value = false;
      else if (this.acceptWord('UNKNOWN')) value = null;
      else return this.fail('NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM');
      return { kind: 'IsBoolean', negated, value, expression: left, span: this.spanFrom(start) };
    }
    const afterNot = this.word(1);
    // `x NOT NULL`: PostgreSQL's postfix form of IS NOT NULL.
    if (w === 'NOT' && afterNot === 'NULL') {
      if (Prec.Is <= minPrec) return null;
      this.advance();
      this.advance();
      return { kind: 'IsNull', negated: true, expression: left, span: this.spanFrom(start) };
    }
    const negatedForm = w === 'NOT' && (likeWords.has(afterNot) || afterNot === 'IN' || afterNot === 'BETWEEN');
    const op = negatedForm ? afterNot : w;
    for (const candidate of ['LIKE', 'ILIKE', 'IN', 'BETWEEN']) this.note(candidate);
    if (likeWords.has(op) || op === 'IN' || op === 'BETWEEN') {
      if (Prec.Like <= minPrec) return null;
      if (negatedForm) this.advance();
      this.advance();
      if (op === 'IN') return this.inPredicate(left, start, negatedForm);
      if (op === 'BETWEEN') {
        if (!this.acceptWord('SYMMETRIC')) this.acceptWord('ASYMMETRIC');
        const low = this.expr(Prec.Like);
        this.expectWord('AND');
        const high = this.expr(Prec.Like);
        return { kind: 'Between', negated: negatedForm, expression: left, low, high, span: this.spanFrom(start) };
      }
      if (op === 'SIMILAR') this.expectWord('TO');
      const pattern = this.expr(Prec.Like);
      const escape = this.acceptWord('ESCAPE') ? this.expr(Prec.Like) : null;
      const operator = op === 'SIMILAR' ? 'SIMILAR TO' : (op as 'LIKE' | 'ILIKE' | 'GLOB');
      const span = this.spanFrom(start);
      return { kind: 'Like', operator, negated: negatedForm, expression: left, pattern, escape, span };
    }
    if (w === 'COLLATE') {
      if (Prec.AtZone <= minPrec) return null;
      this.advance();
      const collation = this.identifier('a collation', 'any-word');
      return { kind: 'Collate', expression: left, collation, span: this.spanFrom(start) };
    }
    if (w === 'AT' && this.word(1) === 'TIME' && this.word(2) === 'ZONE') {
      if (Prec.AtZone <= minPrec) return null;
      this.advance();
      this.advance();
      this.advance();
      const zone = this.expr(Prec.AtZone);
      return { kind: 'AtTimeZone', expression: left, zone, span: this.spanFrom(start) };
    }
    return null;
  }

  private inPredicate(left: A.Expression, start: number, negated: boolean): A.Expression {
    // `i IN [1, 2]`, `i IN lst`: membership in a list value (DuckDB's contains()), an operator rather than a
    // list of values.
    if (!this.isKind('(')) {
      const right = this.expr(Prec.Like);
      const operation: A.Expression = { kind: 'BinaryOp', operator: 'IN', left, right, span: this.spanFrom(start) };
      return negated ? { kind: 'UnaryOp', operator: 'NOT', operand: operation, span: operation.span } : operation;
    }
    this.expectKind('(');
    // `x IN ((SELECT 1), (SELECT 2))` is a list of scalar subqueries, not one subquery.
    const query = this.isQueryStart()
      ? this.tryParse(() => {
          const q = this.query();
          this.expectKind(')');
          return q;
        })
      : null;
    if (query !== null) {
      return { kind: 'InSubquery', negated, expression: left, query, span: this.spanFrom(start) };
    }
    const list = this.expressionList(')');
    this.expectKind(')');
    return { kind: 'InList', negated, expression: left, list, span: this.spanFrom(start) };
  }

  private subscript(left: A.Expression, start: number): A.Expression {
    this.expectKind('[');
    const first = this.isKind(':') ? null : this.expr();
    if (!this.acceptKind(':')) {
      this.expectKind(']');
      return { kind: 'Subscript', expression: left, index: first!, span: this.spanFrom(start) };
    }
    // A lone `-` as the end (`[:-:-1]`) is DuckDB's "up to the end", written so a step can follow.
    const openEnd = this.isOp('-') && (this.isKind(':', 1) || this.isKind(']', 1));
    if (openEnd) this.advance();
    const end = openEnd || this.isKind(']') || this.isKind(':') ? null : this.expr();
    const step = this.acceptKind(':') && !this.isKind(']') ? this.expr() : null;
    this.expectKind(']');
    return { kind: 'Slice', expression: left, start: first, end, step, span: this.spanFrom(start) };
  }

  /** `.field` or `.method(args)` after an expression that is not a plain dotted name. */
  private member(left: A.Expression, start: number): A.Expression {
    this.expectKind('.');
    const field = this.identifier('a field name', 'any-word');
    if (!this.isKind('(')) return { kind: 'FieldAccess', expression: left, field, span: this.spanFrom(start) };
    const name: A.QualifiedName = { kind: 'QualifiedName', parts: [field], span: field.span };
    const receiver: A.FunctionArg = { kind: 'FunctionArg', name: null, value: left, span: left.span };
    return this.functionCall(name, true, start, receiver);
  }

  private primary(): A.Expression {
    const start = this.start();
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.advance();
        return { kind: 'Literal', literalType: 'number', value: decodeNumber(t.text), span: tokenSpan(t) };
      case 'string':
      case 'escape-string':
      case 'dollar-string':
        return this.stringLiteral();
      case 'parameter': {
        this.advance();
        const body = t.text.slice(1);
        const index = body === '' ? null : /^\d+$/.test(body) ? Number(body) : null;
        const name = body !== '' && index === null ? body : null;
        return { kind: 'Parameter', index, name, span: tokenSpan(t) };
      }
      case '(':
        return this.parenthesized();
      case '[':
        return this.listOrComprehension();
      case '{':
        return this.structLiteral();
      case 'operator':
        if (t.text === '*') {
          this.advance();
          // `struct_pack(*COLUMNS(*))`: the columns unpacked as arguments.
          if (this.word() === 'COLUMNS' && this.isKind('(', 1)) {
            const operand = this.expr(Prec.Postfix);
            return { kind: 'UnaryOp', operator: '*', operand, span: this.spanFrom(start) };
          }
          return this.starModifiers(start, []);
        }
        if (t.text === '#' && this.peek(1).kind === 'number') {
          this.advance();
          const index = decodeNumber(this.advance().text);
          return { kind: 'PositionalReference', index, span: this.spanFrom(start) };
        }
        return this.fail('an expression');
      case 'word':
      case 'quoted-identifier':
        return this.wordExpression();
      default:
        return this.fail('an expression');
    }
  }

  /** `(expr)`, `(a, b)`, `()`, or `(query)`. */
  private parenthesized(): A.Expression {
    const start = this.start();
    if (this.isQueryStart(1)) {
      const subquery = this.tryParse(() => {
        this.expectKind('(');
        const query = this.query();
        this.expectKind(')');
        return query;
      });
      if (subquery !== null) return { kind: 'ScalarSubquery', query: subquery, span: this.spanFrom(start) };
    }
    this.expectKind('(');
    const items = this.expressionList(')');
    this.expectKind(')');
    if (items.length === 1) return { kind: 'Parenthesized', expression: items[0]!, span: this.spanFrom(start) };
    return { kind: 'RowExpression', items, span: this.spanFrom(start) };
  }

  /** `[a, b]` or `[element FOR x IN source IF condition]`. */
  private listOrComprehension(): A.Expression {
    const start = this.start();
    this.expectKind('[');
    if (this.isKind(']')) {
      this.advance();
      return { kind: 'ListLiteral', items: [], span: this.spanFrom(start) };
    }
    const first = this.expr();
    if (!this.acceptWord('FOR')) {
      const items = [first];
      if (this.acceptKind(',')) items.push(...this.listItems());
      else this.expectKind(']');
      return { kind: 'ListLiteral', items, span: this.spanFrom(start) };
    }
    const variables = [this.identifier('a variable name')];
    while (this.acceptKind(',')) variables.push(this.identifier('a variable name'));
    this.expectWord('IN');
    const source = this.expr();
    const condition = this.acceptWord('IF') ? this.expr() : null;
    this.expectKind(']');
    return { kind: 'ListComprehension', element: first, variables, source, condition, span: this.spanFrom(start) };
  }

  /** Items of `[...]` after the opening bracket, through the closing one; a trailing comma is allowed. */
  private listItems(): A.Expression[] {
    const items: A.Expression[] = [];
    while (!this.isKind(']')) {
      items.push(this.expr());
      if (!this.acceptKind(',')) break;
    }
    this.expectKind(']');
    return items;
  }

  private structLiteral(): A.StructLiteral {
    const start = this.start();
    this.expectKind('{');
    const fields: A.StructField[] = [];
    while (!this.isKind('}')) {
      const fieldStart = this.start();
      const name = this.isString() ? this.stringAsIdentifier() : this.identifier('a field name', 'any-word');
      this.expectKind(':');
      const value = this.expr();
      fields.push({ kind: 'StructField', name, value, span: this.spanFrom(fieldStart) });
      if (!this.acceptKind(',')) break;
    }
    this.expectKind('}');
    return { kind: 'StructLiteral', fields, span: this.spanFrom(start) };
  }

  private mapLiteral(): A.MapLiteral {
    const start = this.start();
    this.expectWord('MAP');
    this.expectKind('{');
    const entries: A.MapEntry[] = [];
    while (!this.isKind('}')) {
      const entryStart = this.start();
      const key = this.expr();
      this.expectKind(':');
      const value = this.expr();
      entries.push({ kind: 'MapEntry', key, value, span: this.spanFrom(entryStart) });
      if (!this.acceptKind(',')) break;
    }
    this.expectKind('}');
    return { kind: 'MapLiteral', entries, span: this.spanFrom(start) };
  }

  /** `NUMERIC(10, 2) '...'`: a word, numbers in parentheses, then a string. */
  private typeModifiersAhead(): boolean {
    if (this.peek(1).kind !== '(') return false;
    let k = 2;
    while (this.peek(k).kind === 'number' && this.peek(k + 1).kind === ',') k += 2;
    return this.peek(k).kind === 'number' && this.peek(k + 1).kind === ')' && this.isString(k + 2);
  }

  /** Expressions that start with a word: keywords forms, typed literals, names and calls. */
  private wordExpression(): A.Expression {
    const start = this.start();
    const t = this.peek();
    const w = this.word();
    const next = this.peek(1);
    if (t.kind === 'word') {
      switch (w) {
        case 'TRUE':
        case 'FALSE':
          this.advance();
          return { kind: 'Literal', literalType: 'boolean', value: w === 'TRUE', span: tokenSpan(t) };
        case 'NULL':
          this.advance();
          return { kind: 'Literal', literalType: 'null', value: null, span: tokenSpan(t) };
        case 'CASE':
          return this.caseExpression();
        case 'CAST':
        case 'TRY_CAST':
          if (next.kind === '(') return this.castExpression();
          break;
        case 'EXISTS':
          if (next.kind === '(') {
            this.advance();
            this.expectKind('(');
            const query = this.query();
            this.expectKind(')');
            return { kind: 'Exists', query, span: this.spanFrom(start) };
          }
          break;
        case 'INTERVAL':
          if (next.kind !== ')' && next.kind !== ',' && next.kind !== 'eof') return this.intervalLiteral();
          break;
        case 'ARRAY':
          if (next.kind === '[') {
            this.advance();
            this.advance();
            const items = this.listItems();
            return { kind: 'ListLiteral', items, span: this.spanFrom(start) };
          }
          if (next.kind === '(') {
            const name = this.qualifiedNameOf(this.identifier('ARRAY', 'any-word'));
            const subquery = this.parenthesized();
            const arg: A.FunctionArg = { kind: 'FunctionArg', name: null, value: subquery, span: subquery.span };
            return this.callNode(name, 'special', [arg], start);
          }
          break;
        case 'ANY':
        case 'SOME':
        case 'ALL':
          // The right side of a quantified comparison: `x = ANY (SELECT ...)`.
          if (next.kind === '(') {
            const name = this.qualifiedNameOf(this.identifier(w, 'any-word'));
            const operand = this.parenthesized();
            const arg: A.FunctionArg = { kind: 'FunctionArg', name: null, value: operand, span: operand.span };
            return this.callNode(name, 'special', [arg], start);
          }
          break;
        case 'ROW':
          if (next.kind === '(') {
            this.advance();
            this.advance();
            const items = this.expressionList(')');
            this.expectKind(')');
            return { kind: 'RowExpression', items, span: this.spanFrom(start) };
          }
          break;
        case 'MAP':
          if (next.kind === '{') return this.mapLiteral();
          break;
        case 'LAMBDA':
          if (this.isIdentifier(1) && (this.peek(2).kind === ':' || this.peek(2).kind === ',')) {
            return this.lambdaKeyword();
          }
          break;
      }
      if (specialCallWords.has(w) && next.kind === '(' && this.hasSpecialCallMarker(w)) return this.specialCall(w);
      // `DATE '1998-12-01'`: a type name followed by a string; also a type of several words or with
      // modifiers, `TIMESTAMP WITH TIME ZONE '...'`, `VARCHAR(5) '...'`.
      if (!reservedWords.has(w) && this.isString(1)) {
        const type = this.typeName();
        const value = this.stringLiteral();
        return { kind: 'TypedLiteral', type, value, span: this.spanFrom(start) };
      }
      if (!reservedWords.has(w) && (typeContinuations[w]?.includes(this.word(1)) === true || this.typeModifiersAhead())) {
        const typed = this.tryParse(() => {
          const type = this.typeName();
          if (!this.isString()) this.fail('a string');
          const value = this.stringLiteral();
          return { kind: 'TypedLiteral', type, value, span: this.spanFrom(start) } satisfies A.TypedLiteral;
        });
        if (typed !== null) return typed;
      }
    }
    if (next.kind === '(' && this.isIdentifier(0, 'function')) {
      return this.functionCall(this.qualifiedNameOf(this.identifier('a function name', 'function')), false);
    }
    const typeWordAsName = t.kind === 'word' && typeFunctionNames.has(w);
    if (!typeWordAsName && !this.isIdentifier()) return this.fail('an expression');
    const parts = [this.identifier('a name', typeWordAsName ? 'any-word' : 'name')];
    while (this.isKind('.')) {
      if (this.isOp('*', 1)) {
        this.advance();
        this.advance();
        return this.starModifiers(start, parts);
      }
      if (!this.isIdentifier(1, 'any-word')) break;
      this.advance();
      parts.push(this.identifier('a name', 'any-word'));
    }
    if (this.isKind('(')) {
      const name: A.QualifiedName = { kind: 'QualifiedName', parts, span: this.spanFrom(start) };
      return this.functionCall(name, false);
    }
    return { kind: 'ColumnRef', parts, span: this.spanFrom(start) };
  }

  private qualifiedNameOf(part: A.Identifier): A.QualifiedName {
    return { kind: 'QualifiedName', parts: [part], span: part.span };
  }

  private caseExpression(): A.CaseExpression {
    const start = this.start();
    this.expectWord('CASE');
    const operand = this.isWord('WHEN') ? null : this.expr();
    const whens: A.CaseWhen[] = [];
    do {
      const whenStart = this.start();
      this.expectWord('WHEN');
      const condition = this.expr();
      this.expectWord('THEN');
      const result = this.expr();
      whens.push({ kind: 'CaseWhen', condition, result, span: this.spanFrom(whenStart) });
    } while (this.isWord('WHEN'));
    const elseValue = this.acceptWord('ELSE') ? this.expr() : null;
    this.expectWord('END');
    return { kind: 'CaseExpression', operand, whens, else: elseValue, span: this.spanFrom(start) };
  }

  private castExpression(): A.Cast {
    const start = this.start();
    const syntax = this.advance().text.toUpperCase() === 'CAST' ? 'cast' : 'try_cast';
    this.expectKind('(');
    const expression = this.expr();
    this.expectWord('AS');
    const type = this.typeName();
    this.expectKind(')');
    return { kind: 'Cast', syntax, expression, type, span: this.spanFrom(start) };
  }

  private intervalLiteral(): A.IntervalLiteral {
    const start = this.start();
    this.expectWord('INTERVAL');
    let value: A.Expression;
    if (this.isKind('(')) value = this.parenthesized();
    else if (this.isString()) value = this.stringLiteral();
    else value = this.expr(Prec.Unary);
    const unit = intervalUnits.has(this.word()) ? this.identifier('an interval unit', 'any-word') : null;
    return { kind: 'IntervalLiteral', value, unit, span: this.spanFrom(start) };
  }

  /** `* [EXCLUDE (...)] [REPLACE (...)] [RENAME (...)]` after the star (and its qualifier) was read. */
  private starModifiers(start: number, qualifier: readonly A.Identifier[]): A.Star {
    if (this.isOp('*')) this.advance();
    let exclude: A.ColumnRef[] | null = null;
    let replace: A.StarReplace[] | null = null;
    let rename: A.StarRename[] | null = null;
    for (;;) {
      if (exclude === null && this.acceptWord('EXCLUDE')) {
        // DuckDB also takes the names as strings: `EXCLUDE ('i')`.
        exclude = this.parenthesizedOrSingle(() => {
          if (!this.isString()) return this.columnRef();
          const name = this.stringAsIdentifier();
          return { kind: 'ColumnRef', parts: [name], span: name.span } satisfies A.ColumnRef;
        });
      } else if (replace === null && this.acceptWord('REPLACE')) {
        replace = this.parenthesizedOrSingle(() => {
          const itemStart = this.start();
          const expression = this.expr();
          this.expectWord('AS');
          const name = this.identifier('a column name', 'any-word');
          return { kind: 'StarReplace', expression, name, span: this.spanFrom(itemStart) } satisfies A.StarReplace;
        });
      } else if (rename === null && this.acceptWord('RENAME')) {
        rename = this.parenthesizedOrSingle(() => {
          const itemStart = this.start();
          const column = this.columnRef();
          this.expectWord('AS');
          const name = this.identifier('a column name', 'any-word');
          return { kind: 'StarRename', column, name, span: this.spanFrom(itemStart) } satisfies A.StarRename;
        });
      } else {
        break;
      }
    }
    return { kind: 'Star', qualifier, exclude, replace, rename, span: this.spanFrom(start) };
  }

  private parenthesizedOrSingle<T>(item: () => T): T[] {
    if (!this.acceptKind('(')) return [item()];
    const items = [item()];
    // DuckDB allows a trailing comma: `EXCLUDE (a, b,)`.
    while (this.acceptKind(',') && !this.isKind(')')) items.push(item());
    this.expectKind(')');
    return items;
  }

  private columnRef(): A.ColumnRef {
    const start = this.start();
    const parts = [this.identifier('a column name', 'any-word')];
    while (this.isKind('.') && this.isIdentifier(1, 'any-word')) {
      this.advance();
      parts.push(this.identifier('a column name', 'any-word'));
    }
    return { kind: 'ColumnRef', parts, span: this.spanFrom(start) };
  }

  // -------------------------------------------------------------------------------------------------
  // Function calls

  /**
   * `name(args)` with its modifiers. `method` marks `receiver.name(args)`, whose receiver becomes the
   * first argument; `start` is then the receiver's start.
   */
  private functionCall(
    name: A.QualifiedName,
    method: boolean,
    start = name.span.start,
    receiver?: A.FunctionArg,
  ): A.FunctionCall {
    this.expectKind('(');
    const args: A.FunctionArg[] = receiver === undefined ? [] : [receiver];
    const distinct = this.acceptWord('DISTINCT');
    if (!distinct) this.acceptWord('ALL');
    const lambdaAnywhere = method || name.parts.length > 1 || name.parts[0]!.name.toUpperCase() === 'COLUMNS';
    let orderBy: A.OrderItem[] | null = null;
    let ignoreNulls: boolean | null = null;
    if (!this.isKind(')')) {
      do {
        // `cume_dist(ORDER BY i)`: an ORDER BY with no arguments before it.
        if (this.isKind(')') || (this.isWord('ORDER') && this.word(1) === 'BY')) break;
        args.push(this.functionArg(lambdaAnywhere || args.length > 0));
      } while (this.acceptKind(','));
      if (this.isWord('ORDER')) {
        this.advance();
        this.expectWord('BY');
        orderBy = this.orderItems();
      }
      ignoreNulls = this.nullTreatment();
    }
    this.expectKind(')');
    // `finalize(sum(x) EXPORT_STATE)`: the aggregate's state rather than its result.
    this.acceptWord('EXPORT_STATE');
    if (this.isWord('WITHIN') && this.word(1) === 'GROUP') {
      this.advance();
      this.advance();
      this.expectKind('(');
      this.expectWord('ORDER');
      this.expectWord('BY');
      orderBy = this.orderItems();
      this.expectKind(')');
    }
    let filter: A.Expression | null = null;
    if (this.isWord('FILTER') && this.peek(1).kind === '(') {
      this.advance();
      this.advance();
      this.acceptWord('WHERE');
      filter = this.expr();
      this.expectKind(')');
    }
    let over: A.WindowSpec | A.Identifier | null = null;
    if (this.isWord('OVER') && (this.peek(1).kind === '(' || this.isIdentifier(1))) {
      this.advance();
      over = this.isKind('(') ? this.windowSpec() : this.identifier('a window name');
    }
    return {
      kind: 'FunctionCall',
      name,
      syntax: method ? 'method' : 'call',
      args,
      distinct,
      orderBy,
      ignoreNulls,
      filter,
      over,
      span: this.spanFrom(start),
    };
  }

  /** `IGNORE NULLS` / `RESPECT NULLS`, which DuckDB takes inside the argument list only. */
  private nullTreatment(): boolean | null {
    if ((this.isWord('IGNORE') || this.isWord('RESPECT')) && this.word(1) === 'NULLS') {
      const ignore = this.advance().text.toUpperCase() === 'IGNORE';
      this.advance();
      return ignore;
    }
    return null;
  }

  private functionArg(lambdaAllowed: boolean): A.FunctionArg {
    const start = this.start();
    if (this.isIdentifier(0, 'any-word') && (this.isOp(':=', 1) || this.isOp('=>', 1))) {
      const name = this.identifier('an argument name', 'any-word');
      this.advance();
      const value = this.expr();
      return { kind: 'FunctionArg', name, value, span: this.spanFrom(start) };
    }
    const value = lambdaAllowed && this.arrowLambdaAhead() ? this.arrowLambda() : this.expr();
    return { kind: 'FunctionArg', name: null, value, span: this.spanFrom(start) };
  }

  /** `x ->` or `(x, y) ->` at the cursor. */
  private arrowLambdaAhead(): boolean {
    if (this.isIdentifier(0)) return this.isOp('->', 1);
    if (!this.isKind('(')) return false;
    let k = 1;
    for (;;) {
      if (!this.isIdentifier(k)) return false;
      k++;
      if (this.peek(k).kind === ')') return this.isOp('->', k + 1);
      if (this.peek(k).kind !== ',') return false;
      k++;
    }
  }

  private arrowLambda(): A.Lambda {
    const start = this.start();
    const params = this.isKind('(') ? this.identifierList() : [this.identifier()];
    this.advance();
    const body = this.expr();
    return { kind: 'Lambda', params, body, span: this.spanFrom(start) };
  }

  /** `lambda x, y: body`. */
  private lambdaKeyword(): A.Lambda {
    const start = this.start();
    this.expectWord('LAMBDA');
    const params = [this.identifier('a parameter name')];
    while (this.acceptKind(',')) params.push(this.identifier('a parameter name'));
    this.expectKind(':');
    const body = this.expr();
    return { kind: 'Lambda', params, body, span: this.spanFrom(start) };
  }

  /** Whether a keyword-form call (`EXTRACT(y FROM d)`, `TRIM(BOTH ...)`) follows, by its marker words. */
  private hasSpecialCallMarker(w: string): boolean {
    if (w === 'EXTRACT') return true;
    let depth = 0;
    for (let k = 1; ; k++) {
      const t = this.peek(k);
      if (t.kind === 'eof') return false;
      if (t.kind === '(' || t.kind === '[' || t.kind === '{') depth++;
      else if (t.kind === ')' || t.kind === ']' || t.kind === '}') {
        depth--;
        if (depth === 0) return false;
      } else if (depth === 1 && t.kind === 'word' && specialCallMarkers.has(this.word(k))) {
        return this.word(k) !== 'IN' || w === 'POSITION';
      }
    }
  }

  /** The SQL keyword forms of EXTRACT, SUBSTRING, POSITION, TRIM and OVERLAY. */
  private specialCall(w: string): A.FunctionCall {
    const start = this.start();
    const name = this.qualifiedNameOf(this.identifier(w, 'any-word'));
    this.expectKind('(');
    const args: A.FunctionArg[] = [];
    const arg = (minPrec: Prec = Prec.Lowest): void => {
      const value = this.expr(minPrec);
      args.push({ kind: 'FunctionArg', name: null, value, span: value.span });
    };
    switch (w) {
      case 'EXTRACT': {
        const field = this.isString() ? this.stringLiteral() : this.fieldAsLiteral();
        args.push({ kind: 'FunctionArg', name: null, value: field, span: field.span });
        this.expectWord('FROM');
        arg();
        break;
      }
      case 'SUBSTRING':
        arg();
        if (this.acceptWord('FROM')) arg();
        if (this.acceptWord('FOR')) arg();
        break;
      case 'POSITION':
        arg(Prec.Like);
        this.expectWord('IN');
        arg();
        break;
      case 'TRIM':
        if (!this.acceptWord('BOTH') && !this.acceptWord('LEADING')) this.acceptWord('TRAILING');
        if (!this.isWord('FROM')) arg();
        if (this.acceptWord('FROM')) arg();
        break;
      case 'OVERLAY':
        arg();
        this.expectWord('PLACING');
        arg();
        this.expectWord('FROM');
        arg();
        if (this.acceptWord('FOR')) arg();
        break;
    }
    this.expectKind(')');
    return this.callNode(name, 'special', args, start);
  }

  /** EXTRACT's field word as a string literal spanning the word. */
  private fieldAsLiteral(): A.Literal {
    const field = this.identifier('a date part', 'any-word');
    return { kind: 'Literal', literalType: 'string', value: field.name, span: field.span };
  }

  private callNode(
    name: A.QualifiedName,
    syntax: A.FunctionCall['syntax'],
    args: A.FunctionArg[],
    start: number,
  ): A.FunctionCall {
    return {
      kind: 'FunctionCall',
      name,
      syntax,
      args,
      distinct: false,
      orderBy: null,
      ignoreNulls: null,
      filter: null,
      over: null,
      span: this.spanFrom(start),
    };
  }
}

function tokenSpan(t: Token): Span {
  return { start: t.start, end: t.end };
}


// The syntax tree of the SQL subset the planner reasons about. Every node is immutable, tagged with
// `kind`, and carries the span of its exact source text: the planner re-emits untouched parts as slices
// of the original statement, so spans (not a pretty-printer) are the ground truth.
//
// Identifiers keep their text as written (quotes removed, "" unescaped). DuckDB matches identifiers
// case-insensitively, quoted or not, so compare names with toLowerCase().
import type { Span } from './span.js';

interface NodeBase {
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------------
// Names

export interface Identifier extends NodeBase {
  readonly kind: 'Identifier';
  readonly name: string;
  readonly quoted: boolean;
}

/** A dotted name: `tbl`, `schema.tbl`, `db.schema.tbl`, `my_schema.my_function`. */
export interface QualifiedName extends NodeBase {
  readonly kind: 'QualifiedName';
  readonly parts: readonly Identifier[];
}

/** A type as written (`DECIMAL(15,2)`, `FLOAT[]`, `STRUCT(a INT)`): types are passed through as text. */
export interface TypeName extends NodeBase {
  readonly kind: 'TypeName';
  readonly text: string;
}

// ---------------------------------------------------------------------------------------------------
// Statements

export type Statement =
  | SelectStatement
  | CopyStatement
  | CreateTableAsStatement
  | InsertStatement
  | ExplainStatement;

export interface SelectStatement extends NodeBase {
  readonly kind: 'SelectStatement';
  readonly query: Query;
}

/** `COPY (query) TO 'file' (options)`, `COPY tbl [(cols)] TO 'file'`, `COPY tbl FROM 'file'`. */
export interface CopyStatement extends NodeBase {
  readonly kind: 'CopyStatement';
  /** A Query (its span excludes the parentheses) or a table. */
  readonly source: Query | CopyTable;
  readonly direction: 'to' | 'from';
  /** The file path string literal, with its span. */
  readonly target: Literal;
  readonly options: CopyOptions | null;
}

export interface CopyTable extends NodeBase {
  readonly kind: 'CopyTable';
  readonly table: QualifiedName;
  readonly columns: readonly Identifier[] | null;
}

/** `(FORMAT PARQUET, COMPRESSION zstd)`, or `WITH (...)`; the span covers the parentheses (and WITH). */
export interface CopyOptions extends NodeBase {
  readonly kind: 'CopyOptions';
  readonly options: readonly CopyOption[];
}

/** `FORMAT PARQUET`, `HEADER`, `PARTITION_BY (a, b)`: a name and an optional value expression. */
export interface CopyOption extends NodeBase {
  readonly kind: 'CopyOption';
  readonly name: Identifier;
  readonly value: Expression | null;
}

/** `CREATE [OR REPLACE] [TEMP] TABLE [IF NOT EXISTS] name [(cols)] AS query [WITH [NO] DATA]`. */
export interface CreateTableAsStatement extends NodeBase {
  readonly kind: 'CreateTableAsStatement';
  readonly orReplace: boolean;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly Identifier[] | null;
  readonly query: Query;
  /** `WITH NO DATA`: the table is created empty. */
  readonly noData: boolean;
}

/**
 * `[WITH ...] INSERT [OR REPLACE|OR IGNORE] INTO name [(cols)] [BY NAME|BY POSITION] query [ON CONFLICT ...]
 * [RETURNING ...]`. A WITH written before INSERT is the query's own (`query.with`, spanning outside it).
 */
export interface InsertStatement extends NodeBase {
  readonly kind: 'InsertStatement';
  readonly conflict: 'replace' | 'ignore' | null;
  readonly table: QualifiedName;
  readonly alias: Identifier | null;
  readonly columns: readonly Identifier[] | null;
  readonly byName: boolean;
  readonly query: Query;
  readonly onConflict: OnConflict | null;
  readonly returning: readonly SelectItem[] | null;
}

/** `ON CONFLICT [(cols) [WHERE cond]] DO NOTHING | DO UPDATE SET col = expr, ... [WHERE cond]`. */
export interface OnConflict extends NodeBase {
  readonly kind: 'OnConflict';
  readonly target: readonly Identifier[] | null;
  readonly targetWhere: Expression | null;
  readonly action: 'nothing' | 'update';
  readonly set: readonly Assignment[];
  readonly where: Expression | null;
}

/** `col = expr` of `DO UPDATE SET`. */
export interface Assignment extends NodeBase {
  readonly kind: 'Assignment';
  readonly column: Identifier;
  readonly value: Expression;
}

export interface ExplainStatement extends NodeBase {
  readonly kind: 'ExplainStatement';
  readonly analyze: boolean;
  readonly statement: Statement;
}

// ---------------------------------------------------------------------------------------------------
// Queries

/** `[WITH ...] body [ORDER BY ...] [LIMIT ... OFFSET ...]`. */
export interface Query extends NodeBase {
  readonly kind: 'Query';
  readonly with: WithClause | null;
  readonly body: QueryBody;
  readonly orderBy: OrderBy | null;
  readonly limit: LimitClause | null;
}

export type QueryBody = SelectCore | SetOperation | ParenthesizedQuery | ValuesList | TableQuery;

export interface WithClause extends NodeBase {
  readonly kind: 'WithClause';
  readonly recursive: boolean;
  readonly ctes: readonly CommonTableExpression[];
}

/** `name [(cols)] AS [[NOT] MATERIALIZED] (query)`; the query's span excludes the parentheses. */
export interface CommonTableExpression extends NodeBase {
  readonly kind: 'CommonTableExpression';
  readonly name: Identifier;
  readonly columns: readonly Identifier[] | null;
  readonly materialized: boolean | null;
  readonly query: Query;
}

export interface SetOperation extends NodeBase {
  readonly kind: 'SetOperation';
  readonly operator: 'union' | 'intersect' | 'except';
  readonly quantifier: 'all' | 'distinct' | null;
  readonly byName: boolean;
  readonly left: QueryBody;
  readonly right: QueryBody;
}

/** A query in parentheses used as a set-operation operand or a whole body; span includes parentheses. */
export interface ParenthesizedQuery extends NodeBase {
  readonly kind: 'ParenthesizedQuery';
  readonly query: Query;
}

/** `TABLE t`: all of a table's rows, as `SELECT * FROM t`. */
export interface TableQuery extends NodeBase {
  readonly kind: 'TableQuery';
  readonly table: QualifiedName;
}

/** `VALUES (1, 'a'), (2, 'b')`. */
export interface ValuesList extends NodeBase {
  readonly kind: 'ValuesList';
  readonly rows: readonly ValuesRow[];
}

/** One parenthesised row of a VALUES list; span includes the parentheses. */
export interface ValuesRow extends NodeBase {
  readonly kind: 'ValuesRow';
  readonly values: readonly Expression[];
}

/**
 * One SELECT block. `fromFirst` marks DuckDB's `FROM tbl [SELECT ...]`; a bare `FROM tbl` has no items
 * (it means `SELECT *`).
 */
export interface SelectCore extends NodeBase {
  readonly kind: 'SelectCore';
  readonly fromFirst: boolean;
  readonly distinct: Distinct | null;
  readonly items: readonly SelectItem[];
  /** Comma-separated FROM entries; joins are nested inside the entries. */
  readonly from: readonly FromItem[];
  readonly where: Expression | null;
  readonly groupBy: GroupBy | null;
  readonly having: Expression | null;
  readonly windows: readonly WindowDefinition[];
  readonly qualify: Expression | null;
  /** `USING SAMPLE ...`, which samples the rows of this block's FROM, before WHERE filters them. */
  readonly sample: SampleClause | null;
}

/** `USING SAMPLE 10%`, `TABLESAMPLE reservoir(50 ROWS) REPEATABLE (1)`: kept as text. */
export interface SampleClause extends NodeBase {
  readonly kind: 'SampleClause';
  readonly text: string;
}

/** `DISTINCT` or `DISTINCT ON (exprs)`. */
export interface Distinct extends NodeBase {
  readonly kind: 'Distinct';
  readonly on: readonly Expression[] | null;
}

/** `expr [AS] alias`, `alias: expr`, or a star expression. */
export interface SelectItem extends NodeBase {
  readonly kind: 'SelectItem';
  readonly expression: Expression;
  readonly alias: Identifier | null;
}

/** `GROUP BY ALL` (all = true, no items) or a list of grouping expressions. */
export interface GroupBy extends NodeBase {
  readonly kind: 'GroupBy';
  readonly all: boolean;
  readonly items: readonly (Expression | GroupingSets)[];
}

/**
 * `GROUPING SETS ((a, b), (a), ())`, nested ones among the sets too (`GROUPING SETS (a, GROUPING SETS (b, ()))`);
 * ROLLUP(...) and CUBE(...) parse as function calls.
 */
export interface GroupingSets extends NodeBase {
  readonly kind: 'GroupingSets';
  readonly sets: readonly (Expression | GroupingSets)[];
}

export interface OrderBy extends NodeBase {
  readonly kind: 'OrderBy';
  readonly items: readonly OrderItem[];
}

/** One ORDER BY term; `expression` is null for `ORDER BY ALL`. */
export interface OrderItem extends NodeBase {
  readonly kind: 'OrderItem';
  readonly expression: Expression | null;
  readonly direction: 'asc' | 'desc' | null;
  readonly nulls: 'first' | 'last' | null;
}

/** `LIMIT n [%]`, `OFFSET m`, in either order. */
export interface LimitClause extends NodeBase {
  readonly kind: 'LimitClause';
  readonly limit: Expression | null;
  readonly percent: boolean;
  readonly offset: Expression | null;
}

export interface WindowDefinition extends NodeBase {
  readonly kind: 'WindowDefinition';
  readonly name: Identifier;
  readonly spec: WindowSpec;
}

/** The inside of `OVER (...)` or `WINDOW w AS (...)`; span includes the parentheses. */
export interface WindowSpec extends NodeBase {
  readonly kind: 'WindowSpec';
  readonly baseName: Identifier | null;
  readonly partitionBy: readonly Expression[];
  readonly orderBy: readonly OrderItem[];
  readonly frame: WindowFrame | null;
}

export interface WindowFrame extends NodeBase {
  readonly kind: 'WindowFrame';
  readonly units: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  /** Null for the short form `ROWS <bound>`. */
  readonly end: FrameBound | null;
  readonly exclude: 'current-row' | 'group' | 'ties' | 'no-others' | null;
}

export interface FrameBound extends NodeBase {
  readonly kind: 'FrameBound';
  readonly bound: 'unbounded-preceding' | 'preceding' | 'current-row' | 'following' | 'unbounded-following';
  /** The offset of `n PRECEDING` / `n FOLLOWING`. */
  readonly offset: Expression | null;
}

// ---------------------------------------------------------------------------------------------------
// FROM

export type FromItem =
  | TableRef
  | FileRef
  | TableFunctionRef
  | SubqueryRef
  | JoinedFrom
  | ParenthesizedFrom
  | OpaqueFrom;

/**
 * A relation kept as text, for DuckDB to read: `(DESCRIBE t)`, `(SUMMARIZE t)`, `(SHOW t)`,
 * `([WITH ...] PIVOT ...)`, `(UNPIVOT ...)`, and `t PIVOT (...)` / `t UNPIVOT (...)` (`construct` names
 * it). A model call cannot be inside one: the planner refuses it by that name.
 */
export interface OpaqueFrom extends NodeBase {
  readonly kind: 'OpaqueFrom';
  readonly construct: 'DESCRIBE' | 'SUMMARIZE' | 'SHOW' | 'PIVOT' | 'UNPIVOT';
  /** The construct's own text (without the alias). */
  readonly body: Span;
  readonly alias: TableAlias | null;
}

/** `AS alias [(col, ...)]`; span covers AS (when written) through the column list. */
export interface TableAlias extends NodeBase {
  readonly kind: 'TableAlias';
  readonly name: Identifier;
  readonly columns: readonly Identifier[] | null;
}

export interface TableRef extends NodeBase {
  readonly kind: 'TableRef';
  readonly name: QualifiedName;
  readonly alias: TableAlias | null;
  /** `TABLESAMPLE ...` after the alias. */
  readonly sample: SampleClause | null;
}

/** A string literal used as a table: `FROM 'data/*.parquet'`. */
export interface FileRef extends NodeBase {
  readonly kind: 'FileRef';
  readonly path: Literal;
  readonly alias: TableAlias | null;
  /** `TABLESAMPLE ...` after the alias. */
  readonly sample: SampleClause | null;
}

/** `read_parquet('x.parquet')`, `range(10) t(i)`, `LATERAL unnest(...)`. */
export interface TableFunctionRef extends NodeBase {
  readonly kind: 'TableFunctionRef';
  readonly lateral: boolean;
  readonly call: FunctionCall;
  /** `WITH ORDINALITY`: a column numbering the rows follows the function's own. */
  readonly ordinality: boolean;
  readonly alias: TableAlias | null;
  /** `TABLESAMPLE ...` after the alias. */
  readonly sample: SampleClause | null;
}

/** `[LATERAL] (query) [alias]`; `query`'s span excludes the parentheses. */
export interface SubqueryRef extends NodeBase {
  readonly kind: 'SubqueryRef';
  readonly lateral: boolean;
  readonly query: Query;
  readonly alias: TableAlias | null;
  /** `TABLESAMPLE ...` after the alias. */
  readonly sample: SampleClause | null;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'positional' | 'semi' | 'anti';

/**
 * `left [NATURAL|ASOF] [INNER|LEFT|RIGHT|FULL [OUTER]|CROSS|POSITIONAL|SEMI|ANTI] JOIN right
 * [ON cond | USING (cols)]`. A plain `JOIN` is 'inner'.
 */
export interface JoinedFrom extends NodeBase {
  readonly kind: 'JoinedFrom';
  readonly joinType: JoinType;
  readonly natural: boolean;
  readonly asof: boolean;
  readonly left: FromItem;
  readonly right: FromItem;
  readonly on: Expression | null;
  readonly using: readonly Identifier[] | null;
}

/** `(a JOIN b ON ...) [alias]`. */
export interface ParenthesizedFrom extends NodeBase {
  readonly kind: 'ParenthesizedFrom';
  readonly item: FromItem;
  readonly alias: TableAlias | null;
}

// ---------------------------------------------------------------------------------------------------
// Expressions

export type Expression =
  | ColumnRef
  | Literal
  | TypedLiteral
  | IntervalLiteral
  | Parameter
  | FunctionCall
  | Star
  | UnaryOp
  | BinaryOp
  | Cast
  | CaseExpression
  | InList
  | InSubquery
  | Exists
  | Between
  | Like
  | IsNull
  | IsDistinctFrom
  | IsBoolean
  | Lambda
  | ListComprehension
  | PositionalReference
  | ListLiteral
  | StructLiteral
  | MapLiteral
  | RowExpression
  | Subscript
  | Slice
  | FieldAccess
  | ScalarSubquery
  | Parenthesized
  | Collate
  | AtTimeZone
  | DefaultValue;

/** `DEFAULT` as a value of INSERT's VALUES: the column's default. */
export interface DefaultValue extends NodeBase {
  readonly kind: 'DefaultValue';
}

/** `col`, `t.col`, `s.t.col`, `t.struct_col.field`: how many parts name the table is for the binder. */
export interface ColumnRef extends NodeBase {
  readonly kind: 'ColumnRef';
  readonly parts: readonly Identifier[];
}

/**
 * A constant. `value` is the decoded string (escapes resolved), the number, the boolean, or null.
 * Numbers too large for a double keep their exact digits in the source span.
 */
export interface Literal extends NodeBase {
  readonly kind: 'Literal';
  readonly literalType: 'string' | 'number' | 'boolean' | 'null';
  readonly value: string | number | boolean | null;
}

/** `DATE '1998-12-01'`, `TIMESTAMP '...'`, `BLOB '\x00'`: a type name applied to a string. */
export interface TypedLiteral extends NodeBase {
  readonly kind: 'TypedLiteral';
  readonly type: TypeName;
  readonly value: Literal;
}

/** `INTERVAL '3' DAY`, `INTERVAL 3 DAYS`, `INTERVAL '1 day'`, `INTERVAL (n) MONTH`. */
export interface IntervalLiteral extends NodeBase {
  readonly kind: 'IntervalLiteral';
  readonly value: Expression;
  /** The unit as written (e.g. 'DAY', 'days'), null when the string holds it. */
  readonly unit: Identifier | null;
}

/** `?` (index null), `$1` (index 1), `$name` (name). */
export interface Parameter extends NodeBase {
  readonly kind: 'Parameter';
  readonly index: number | null;
  readonly name: string | null;
}

/** One argument; `name` is set for `name := value` and `name => value`. */
export interface FunctionArg extends NodeBase {
  readonly kind: 'FunctionArg';
  readonly name: Identifier | null;
  readonly value: Expression;
}

/**
 * A call: `f(x)`, `schema.f(x)`, `count(*)`, `count(DISTINCT x)`, `string_agg(x, ',' ORDER BY y)`,
 * `sum(x) FILTER (WHERE p)`, `row_number() OVER (...)`, `first(x IGNORE NULLS)`.
 * `syntax` is 'special' for the SQL keyword forms (EXTRACT(f FROM x), SUBSTRING(x FROM a FOR b),
 * POSITION(a IN b), TRIM(BOTH c FROM x), OVERLAY(...), ARRAY(query), and the quantifiers of `x = ANY (query)`,
 * ALL and SOME) whose args are the operands in source order; 'method' for
 * `expr.f(args)` on a receiver that is not a plain name, with the receiver as the first argument.
 * A dotted call like `a.b(x)` parses as a function named by the qualified name `a.b`.
 */
export interface FunctionCall extends NodeBase {
  readonly kind: 'FunctionCall';
  readonly name: QualifiedName;
  readonly syntax: 'call' | 'special' | 'method';
  readonly args: readonly FunctionArg[];
  readonly distinct: boolean;
  readonly orderBy: readonly OrderItem[] | null;
  readonly ignoreNulls: boolean | null;
  readonly filter: Expression | null;
  /** A window spec, or the name of a window from the WINDOW clause. */
  readonly over: WindowSpec | Identifier | null;
}

/**
 * `*`, `t.*`, `* EXCLUDE (a, t.b)`, `* REPLACE (expr AS col)`, `* RENAME (a AS b)`; also `count(*)`'s
 * argument and `COLUMNS(*)`'s.
 */
export interface Star extends NodeBase {
  readonly kind: 'Star';
  readonly qualifier: readonly Identifier[];
  readonly exclude: readonly ColumnRef[] | null;
  readonly replace: readonly StarReplace[] | null;
  readonly rename: readonly StarRename[] | null;
}

export interface StarReplace extends NodeBase {
  readonly kind: 'StarReplace';
  readonly expression: Expression;
  readonly name: Identifier;
}

export interface StarRename extends NodeBase {
  readonly kind: 'StarRename';
  readonly column: ColumnRef;
  readonly name: Identifier;
}

/** `-x`, `+x`, `NOT x`, `~x`. `operator` is the symbol, or the keyword upper-cased. */
export interface UnaryOp extends NodeBase {
  readonly kind: 'UnaryOp';
  readonly operator: string;
  readonly operand: Expression;
}

/**
 * Every infix operator without a node of its own: AND OR = == != <> < <= > >= + - * / // % ^ ** || ->
 * ->> << >> & | @> <@ && and the like. Keywords are upper-cased; symbols are as written.
 */
export interface BinaryOp extends NodeBase {
  readonly kind: 'BinaryOp';
  readonly operator: string;
  readonly left: Expression;
  readonly right: Expression;
}

/** `CAST(x AS T)`, `TRY_CAST(x AS T)`, `x::T`. */
export interface Cast extends NodeBase {
  readonly kind: 'Cast';
  readonly syntax: 'cast' | 'try_cast' | 'double-colon';
  readonly expression: Expression;
  readonly type: TypeName;
}

/** Simple (`CASE x WHEN 1 THEN ...`, operand set) or searched (`CASE WHEN p THEN ...`). */
export interface CaseExpression extends NodeBase {
  readonly kind: 'CaseExpression';
  readonly operand: Expression | null;
  readonly whens: readonly CaseWhen[];
  readonly else: Expression | null;
}

export interface CaseWhen extends NodeBase {
  readonly kind: 'CaseWhen';
  readonly condition: Expression;
  readonly result: Expression;
}

/** `x [NOT] IN (a, b)`. */
export interface InList extends NodeBase {
  readonly kind: 'InList';
  readonly negated: boolean;
  readonly expression: Expression;
  readonly list: readonly Expression[];
}

/** `x [NOT] IN (SELECT ...)`; the query's span excludes the parentheses. */
export interface InSubquery extends NodeBase {
  readonly kind: 'InSubquery';
  readonly negated: boolean;
  readonly expression: Expression;
  readonly query: Query;
}

/** `EXISTS (query)`; `NOT EXISTS` is a NOT UnaryOp around it. */
export interface Exists extends NodeBase {
  readonly kind: 'Exists';
  readonly query: Query;
}

export interface Between extends NodeBase {
  readonly kind: 'Between';
  readonly negated: boolean;
  readonly expression: Expression;
  readonly low: Expression;
  readonly high: Expression;
}

/** `x [NOT] LIKE|ILIKE|GLOB|SIMILAR TO pattern [ESCAPE e]`, also `~~` style operators stay BinaryOp. */
export interface Like extends NodeBase {
  readonly kind: 'Like';
  readonly operator: 'LIKE' | 'ILIKE' | 'GLOB' | 'SIMILAR TO';
  readonly negated: boolean;
  readonly expression: Expression;
  readonly pattern: Expression;
  readonly escape: Expression | null;
}

/** `x IS [NOT] NULL`, `x ISNULL`, `x NOTNULL`. */
export interface IsNull extends NodeBase {
  readonly kind: 'IsNull';
  readonly negated: boolean;
  readonly expression: Expression;
}

export interface IsDistinctFrom extends NodeBase {
  readonly kind: 'IsDistinctFrom';
  /** True for IS NOT DISTINCT FROM. */
  readonly negated: boolean;
  readonly left: Expression;
  readonly right: Expression;
}

/** `x IS [NOT] TRUE|FALSE|UNKNOWN`. */
export interface IsBoolean extends NodeBase {
  readonly kind: 'IsBoolean';
  readonly negated: boolean;
  readonly value: true | false | null;
  readonly expression: Expression;
}

/**
 * `x -> x + 1`, `(a, b) -> a + b`, `lambda x: x + 1`. An arrow is read as a lambda only as a function
 * argument after the first (or of a dotted call) with bare names on its left; elsewhere `->` is the
 * JSON operator (BinaryOp). Parameters are not column references.
 */
export interface Lambda extends NodeBase {
  readonly kind: 'Lambda';
  readonly params: readonly Identifier[];
  readonly body: Expression;
}

/**
 * `[x * 2 FOR x IN l IF x > 0]`, `[x FOR x, i IN l]`. Like lambda parameters, the variables are not
 * column references (inside `element` and `condition` they appear as ColumnRefs).
 */
export interface ListComprehension extends NodeBase {
  readonly kind: 'ListComprehension';
  readonly element: Expression;
  readonly variables: readonly Identifier[];
  readonly source: Expression;
  readonly condition: Expression | null;
}

/** `#1`: the first column of the select list's input, by position. */
export interface PositionalReference extends NodeBase {
  readonly kind: 'PositionalReference';
  readonly index: number;
}

/** `[1, 2, 3]`, `ARRAY[1, 2]`. */
export interface ListLiteral extends NodeBase {
  readonly kind: 'ListLiteral';
  readonly items: readonly Expression[];
}

/** `{'a': 1, b: 2}`. */
export interface StructLiteral extends NodeBase {
  readonly kind: 'StructLiteral';
  readonly fields: readonly StructField[];
}

/** A struct field; `name` is quoted when the key was written as a string literal. */
export interface StructField extends NodeBase {
  readonly kind: 'StructField';
  readonly name: Identifier;
  readonly value: Expression;
}

/** `MAP {'k': v, ...}`; the `MAP(keys, values)` form is a FunctionCall. */
export interface MapLiteral extends NodeBase {
  readonly kind: 'MapLiteral';
  readonly entries: readonly MapEntry[];
}

export interface MapEntry extends NodeBase {
  readonly kind: 'MapEntry';
  readonly key: Expression;
  readonly value: Expression;
}

/** `(a, b)` and `ROW(a, b)`. */
export interface RowExpression extends NodeBase {
  readonly kind: 'RowExpression';
  readonly items: readonly Expression[];
}

/** `x[i]`. */
export interface Subscript extends NodeBase {
  readonly kind: 'Subscript';
  readonly expression: Expression;
  readonly index: Expression;
}

/** `x[a:b]`, `x[:b]`, `x[a:]`, `x[a:b:step]`. */
export interface Slice extends NodeBase {
  readonly kind: 'Slice';
  readonly expression: Expression;
  readonly start: Expression | null;
  readonly end: Expression | null;
  readonly step: Expression | null;
}

/** `expr.field` on something that is not a plain name (plain dotted names are ColumnRefs). */
export interface FieldAccess extends NodeBase {
  readonly kind: 'FieldAccess';
  readonly expression: Expression;
  readonly field: Identifier;
}

/** `(SELECT ...)` as a value, also `ARRAY(SELECT ...)`; the query's span excludes the parentheses. */
export interface ScalarSubquery extends NodeBase {
  readonly kind: 'ScalarSubquery';
  readonly query: Query;
}

export interface Parenthesized extends NodeBase {
  readonly kind: 'Parenthesized';
  readonly expression: Expression;
}

export interface Collate extends NodeBase {
  readonly kind: 'Collate';
  readonly expression: Expression;
  readonly collation: Identifier;
}

export interface AtTimeZone extends NodeBase {
  readonly kind: 'AtTimeZone';
  readonly expression: Expression;
  readonly zone: Expression;
}

// ---------------------------------------------------------------------------------------------------

/** Every node kind, for exhaustive visitors. */
export type Node =
  | Identifier
  | QualifiedName
  | TypeName
  | Statement
  | CopyTable
  | CopyOptions
  | CopyOption
  | Query
  | QueryBody
  | WithClause
  | CommonTableExpression
  | ValuesRow
  | Distinct
  | SelectItem
  | GroupBy
  | GroupingSets
  | OnConflict
  | Assignment
  | OrderBy
  | OrderItem
  | LimitClause
  | SampleClause
  | WindowDefinition
  | WindowSpec
  | WindowFrame
  | FrameBound
  | FromItem
  | TableAlias
  | Expression
  | FunctionArg
  | StarReplace
  | StarRename
  | CaseWhen
  | StructField
  | MapEntry;

export type NodeKind = Node['kind'];
export type NodeOfKind<K extends NodeKind> = Extract<Node, { readonly kind: K }>;

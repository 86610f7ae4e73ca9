// The engine's public API: what the shell (and any other caller) may use.
export { createEngine, Engine, type EngineOptions, type EngineUdfs, type RunOptions } from './engine.js';
export type {
  ResultColumnInfo,
  SqlValue,
  StatementResult,
  StatementResultKind,
  StreamedStatement,
} from './exec/result.js';
export { routeStatement, type ModelRegistry, type Route } from './router.js';
/** The table `batch` of `sqlinfer --arrow-stream`, filled from Arrow record batches. */
export { ArrowBatchTable } from './exec/arrow-batch.js';
/** The statement of `--arrow-stream` rewritten to run over several batches at once, when it is row-wise. */
export { arrowRowWise } from './exec/arrow-row-wise.js';
export { EngineSettings, isEngineSetting, settingDefinitions, type SettingRow, type SettingValue } from './settings.js';
export { SqlError, type SqlErrorPhase } from './sql/sql-error.js';
export type { ShardOptions } from './exec/shard-output.js';
export { commitShards, type ShardCommit } from './exec/shard-commit.js';
export { MODEL_STATEMENT_KEYWORDS } from './sql/model-catalog-syntax.js';
export { isCompleteInput, splitStatements } from './sql/split-statements.js';
/** The built-in model functions (predict_resnet50, image_to_tensor ...) over one worker pool. */
export { createUdfs, type ArgSpec, type ModelFunction, type PrepareProgress, type UdfsOptions } from '../udfs/index.js';
/** The settings of `--arrow-stream`'s grouping of batches. */
export { ARROW_GROUP_BYTES, ARROW_GROUP_ROWS, ARROW_GROUP_WAIT_MS } from '../udfs/index.js';

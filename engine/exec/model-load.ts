// Loading a statement's models (weights read, graph built, one session per worker: seconds in a fresh
// shell), as a value: started once DuckDB is busy with the statement's first query, awaited by the first
// batch, stopped when the statement fails first.
import type { ModelFunction, ModelSettings, PreparedCall, PrepareProgress } from '../../udfs/index.js';
import type { ModelLevel, ModelPlan } from '../plan/model-plan.js';
import { SqlError, sqlErrorAt } from '../sql/sql-error.js';
import { interrupted, throwIfAborted } from './interruptible.js';

export interface ModelLoadOptions {
  readonly settings: ModelSettings;
  readonly signal?: AbortSignal;
  onProgress?(progress: PrepareProgress): void;
}

export class ModelLoad {
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal;
  private begin: () => void = () => undefined;
  private readonly loaded: Promise<Map<ModelFunction, PreparedCall>>;
  /** Milliseconds from `origin` until every model was loaded; null until then. */
  loadedAfterMs: number | null = null;

  constructor(
    private readonly plan: ModelPlan,
    private readonly options: ModelLoadOptions,
    /** performance.now() of the start of the stages. */
    private readonly origin: number,
  ) {
    this.signal = options.signal === undefined ? this.stop.signal : AbortSignal.any([options.signal, this.stop.signal]);
    this.loaded = new Promise<void>((resolve) => (this.begin = resolve)).then(() => this.load());
    // Its failure is met where a batch waits for it, or by ready() at the end of the stages.
    this.loaded.catch(() => undefined);
  }

  /** Starts the load; later calls do nothing. */
  start(): void {
    this.begin();
  }

  /** Every model loaded: the load's failure is the statement's, even when no row reached a model. */
  async ready(): Promise<void> {
    this.start();
    await this.loaded;
  }

  /** The prepared calls of a level, in its calls' order, once loaded. */
  async callsOf(level: ModelLevel): Promise<PreparedCall[]> {
    const prepared = await this.loaded;
    return level.calls.map((c) => prepared.get(c.fn)!);
  }

  /** Stops a load in progress (the statement failed first) and waits until it has let go. */
  async abort(reason: unknown): Promise<void> {
    this.stop.abort(reason);
    this.start();
    await this.loaded.catch(() => undefined);
  }

  /** Each function is prepared (its model loaded and broadcast) once per statement. */
  private async load(): Promise<Map<ModelFunction, PreparedCall>> {
    const prepared = new Map<ModelFunction, PreparedCall>();
    for (const call of this.plan.stages.flatMap((s) => s.levels.flatMap((l) => l.calls))) {
      if (prepared.has(call.fn)) continue;
      throwIfAborted(this.signal);
      try {
        // The first call's literals (e.g. a preprocess mode) are checked before any model loads; every
        // batch carries its own call's constants again, so other calls of the function are checked too.
        const constants = call.args.map((arg) => (arg.kind === 'constant' ? arg.value : undefined));
        prepared.set(call.fn, await call.fn.prepare({ settings: this.options.settings, constants, signal: this.signal, onProgress: this.options.onProgress }));
      } catch (error) {
        if (this.signal.aborted) throw interrupted(error);
        if (error instanceof SqlError) throw error;
        // A model that cannot load (its file gone, unreadable) is the call's fault, at the call.
        const message = error instanceof Error ? error.message : String(error);
        throw sqlErrorAt('plan', 'model-unavailable', `${call.fn.name}: ${message}`, this.plan.source, call.span, error);
      }
    }
    this.loadedAfterMs = performance.now() - this.origin;
    return prepared;
  }
}

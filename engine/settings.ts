// sqlinfer's own session settings (SET model_threads = 4 ...): their names, defaults and validation. They
// are intercepted before DuckDB, which never sees them; every other SET goes to DuckDB unchanged.
import { SETTINGS_SPEC, validateSetting, type ModelSettings } from '../udfs/index.js';
import { SqlError } from './sql/sql-error.js';

export type SettingValue = string | number;

export interface SettingDefinition {
  readonly name: string;
  readonly description: string;
  /** The value when the setting was never set (or was RESET). */
  defaultValue(): string;
  /** The canonical text of a valid value; throws a message naming the setting and what it accepts. */
  normalize(value: SettingValue): string;
}

/** The settings model functions read, as udfs/ declares them. */
export const settingDefinitions: readonly SettingDefinition[] = SETTINGS_SPEC.map((spec) => ({
  name: spec.name,
  description: spec.description,
  defaultValue: () => spec.defaultValue,
  normalize: (value) => validateSetting(spec.name, value),
}));

const definitionsByName = new Map(settingDefinitions.map((d) => [d.name, d]));

/** True for the names sqlinfer handles itself (case-insensitive). */
export function isEngineSetting(name: string): boolean {
  return definitionsByName.has(name.toLowerCase());
}

export interface SettingRow {
  readonly name: string;
  /** null when the setting has no value (never set and no default). */
  readonly value: string | null;
  readonly description: string;
}

/** The session's settings; model functions see them through the ModelSettings interface. */
export class EngineSettings implements ModelSettings {
  private readonly values = new Map<string, string>();

  constructor(initial: Readonly<Record<string, SettingValue | undefined>> = {}) {
    for (const [name, value] of Object.entries(initial)) {
      if (value !== undefined) this.set(name, value);
    }
  }

  get threads(): number {
    return Number(this.get('model_threads'));
  }

  get batchSize(): number {
    return Number(this.get('model_batch_size'));
  }

  get(name: string): string | undefined {
    const definition = definitionsByName.get(name.toLowerCase());
    if (definition === undefined) return undefined;
    return this.values.get(definition.name) ?? definition.defaultValue();
  }

  /** Validates and stores a value; throws a SqlError ('invalid-setting' or 'unknown-setting'). */
  set(name: string, value: SettingValue): void {
    const definition = this.definition(name);
    let normalized: string;
    try {
      normalized = definition.normalize(value);
    } catch (error) {
      throw new SqlError({ phase: 'execute', code: 'invalid-setting', detail: (error as Error).message });
    }
    this.values.set(definition.name, normalized);
  }

  reset(name: string): void {
    this.values.delete(this.definition(name).name);
  }

  list(): SettingRow[] {
    return settingDefinitions.map((d) => ({ name: d.name, value: this.get(d.name) ?? null, description: d.description }));
  }

  private definition(name: string): SettingDefinition {
    const definition = definitionsByName.get(name.toLowerCase());
    if (definition === undefined) {
      const known = settingDefinitions.map((d) => d.name).join(', ');
      throw new SqlError({ phase: 'execute', code: 'unknown-setting', detail: `unknown setting '${name}' (sqlinfer settings: ${known})` });
    }
    return definition;
  }
}

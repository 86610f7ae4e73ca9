// sqlinfer's own session settings (SET model_threads = 4 ...): their names, defaults and validation. They
// are intercepted before DuckDB, which never sees them; every other SET goes to DuckDB unchanged.
import type { ModelSettings } from '../udfs/model-function.js';
import { SETTINGS_SPEC, type SettingSpec } from '../udfs/settings-spec.js';
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

function integerSetting(spec: SettingSpec): SettingDefinition {
  const min = spec.min ?? Number.MIN_SAFE_INTEGER;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  return {
    name: spec.name,
    description: spec.description,
    defaultValue: () => spec.defaultValue,
    normalize(value) {
      const text = String(value).trim();
      const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new Error(`${spec.name} must be an integer from ${min} to ${max}, got ${quote(value)}`);
      }
      return String(n);
    },
  };
}

function textSetting(spec: SettingSpec): SettingDefinition {
  const { values } = spec;
  return {
    name: spec.name,
    description: spec.description,
    defaultValue: () => spec.defaultValue,
    normalize(value) {
      if (values === undefined) return String(value);
      const text = String(value).trim().toLowerCase();
      if (!values.includes(text)) throw new Error(`${spec.name} must be one of ${values.map((v) => `'${v}'`).join(', ')}, got ${quote(value)}`);
      return text;
    },
  };
}

function quote(value: SettingValue): string {
  return typeof value === 'number' ? String(value) : `'${value}'`;
}

/** The settings model functions read, as udfs/ declares them. */
export const settingDefinitions: readonly SettingDefinition[] = SETTINGS_SPEC.map((spec) =>
  spec.type === 'INTEGER' ? integerSetting(spec) : textSetting(spec),
);

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

// The output formats of the shell, each rendering one statement's rows as they stream in.
import type { StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { renderCsv } from './csv.js';
import { renderJson, renderJsonLines } from './json.js';
import { renderLines } from './line.js';
import { renderMarkdown } from './markdown.js';
import type { RenderOptions } from './render-options.js';
import { renderTable } from './table.js';

export const formats = ['table', 'csv', 'json', 'jsonl', 'markdown', 'line'] as const;
export type Format = (typeof formats)[number];

export function isFormat(name: string): name is Format {
  return (formats as readonly string[]).includes(name);
}

/** Formats meant for people; the others (csv, json, jsonl) are data and are never shortened. */
export function isReadableFormat(format: Format): boolean {
  return format === 'table' || format === 'markdown' || format === 'line';
}

/** Renders a statement that returns rows; statements without rows (CREATE, COPY ...) print nothing. */
export type Renderer = (statement: StreamedStatement, out: Output, options: RenderOptions) => Promise<void>;

const renderers: Record<Format, Renderer> = {
  table: renderTable,
  csv: renderCsv,
  json: renderJson,
  jsonl: renderJsonLines,
  markdown: renderMarkdown,
  line: renderLines,
};

export async function renderStatement(format: Format, statement: StreamedStatement, out: Output, options: RenderOptions = {}): Promise<void> {
  if (statement.kind !== 'rows') return;
  await renderers[format](statement, out, options);
}

// The output formats of the shell, each rendering one statement's rows as they stream in.
import type { StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { renderCsv } from './csv.js';
import { renderJson, renderJsonLines } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderTable } from './table.js';

export const formats = ['table', 'csv', 'json', 'jsonl', 'markdown'] as const;
export type Format = (typeof formats)[number];

export function isFormat(name: string): name is Format {
  return (formats as readonly string[]).includes(name);
}

export interface RenderOptions {
  /** Colour hints (dim NULLs) for a terminal. */
  readonly color?: boolean;
  /** The terminal's width: the boxed table narrows its widest columns to fit. */
  readonly width?: number;
}

/** Renders a statement that returns rows; statements without rows (CREATE, COPY ...) print nothing. */
export type Renderer = (statement: StreamedStatement, out: Output, options: RenderOptions) => Promise<void>;

const renderers: Record<Format, Renderer> = {
  table: renderTable,
  csv: renderCsv,
  json: renderJson,
  jsonl: renderJsonLines,
  markdown: renderMarkdown,
};

export async function renderStatement(format: Format, statement: StreamedStatement, out: Output, options: RenderOptions = {}): Promise<void> {
  if (statement.kind !== 'rows') return;
  await renderers[format](statement, out, options);
}

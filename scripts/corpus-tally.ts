// What the corpus script's child processes report for each file, and how the parent adds it up by cause.

/** One disagreement: its cause (particulars blanked) and where it happened, with the statement. */
export interface Disagreement {
  readonly cause: string;
  readonly example: string;
}

/** One mode's figures for one file. */
export interface ModeFigures {
  total: number;
  agree: number;
  readonly disagreements: Disagreement[];
}

/** A file's outcome, sent from the child that ran it to the parent. */
export type FileReport =
  | { readonly kind: 'skipped'; readonly index: number; readonly reason: string }
  | {
      readonly kind: 'ran';
      readonly index: number;
      readonly passThrough: ModeFigures;
      readonly wrapped: ModeFigures;
      /** Why the file ended before its last step, if it did. */
      readonly ended: string | null;
    };

export function emptyFigures(): ModeFigures {
  return { total: 0, agree: 0, disagreements: [] };
}

/** Messages with their particulars (names, numbers, positions) blanked, to group them by cause. */
export function causeOf(message: string): string {
  const first = message.split('\n')[0]!;
  // A parse error is told apart by the token found, the construct the parser does not know.
  if (first.startsWith('Parse error')) return first.replace(/at \d+:\d+/g, 'at L:C').slice(0, 140);
  return first
    .replace(/at \d+:\d+/g, 'at L:C')
    .replace(/"[^"]*"|'[^']*'/g, '…')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 140);
}

export class Tally {
  total = 0;
  agree = 0;
  readonly causes = new Map<string, { count: number; example: string; where: string[] }>();

  addFigures(figures: ModeFigures): void {
    this.total += figures.total;
    this.agree += figures.agree;
    for (const { cause, example } of figures.disagreements) {
      const entry = this.causes.get(cause) ?? { count: 0, example, where: [] };
      entry.count++;
      // Every place (file:line) of the cause goes to --json, to look each one up.
      entry.where.push(example.split(': ')[0]!);
      this.causes.set(cause, entry);
    }
  }

  /** Disagreements whose cause matches. */
  count(pattern: RegExp): number {
    return [...this.causes].filter(([cause]) => pattern.test(cause)).reduce((sum, [, e]) => sum + e.count, 0);
  }

  report(title: string): string {
    const pct = this.total === 0 ? 'n/a' : `${((100 * this.agree) / this.total).toFixed(2)}%`;
    const lines = [`${title}: ${this.agree} of ${this.total} agree (${pct}); ${this.total - this.agree} disagree`];
    for (const [cause, { count, example }] of [...this.causes].sort((a, b) => b[1].count - a[1].count).slice(0, 40)) {
      lines.push(`  ${String(count).padStart(6)}  ${cause}\n          e.g. ${example.replace(/\s+/g, ' ').slice(0, 220)}`);
    }
    return lines.join('\n');
  }
}

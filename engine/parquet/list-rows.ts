// Rows of a list column chunk, one after the other: a row's levels say whether it is NULL, how long it
// is and where its NULL elements are; its values then go straight into the caller's array. A row may
// continue on the next page (data page v1 allows it).
import type { TensorValues } from '../../udfs/index.js';
import type { ColumnPages, DataPage } from './column-pages.js';
import type { ListLeaf } from './list-leaf.js';
import { PageFault } from './page-fault.js';

interface OpenPage {
  readonly page: DataPage;
  /** Values passed over by skipped rows, skipped lazily before the next read. */
  skip: number;
}

/** One page's part of a row: counts of present values (> 0) and of NULL elements (< 0), in order. */
interface RowPart {
  readonly at: OpenPage;
  readonly runs: number[];
}

/** Where a row's values go: `values` from index `at`, with room for the row's length. */
export interface RowPlace {
  readonly values: TensorValues;
  readonly at: number;
}

export class ListRows {
  private current: OpenPage | null = null;
  private done = false;

  constructor(
    private readonly pages: ColumnPages,
    private readonly leaf: ListLeaf,
    /** Written where an element is NULL (NaN for floats, as DuckDB's vectors read elsewhere give). */
    private readonly hole: number | bigint,
  ) {}

  async skipRows(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.walkRow(null);
  }

  /** Reads the next row: null when it is NULL, else its length, its values written where `place` says. */
  async readRow(place: (length: number) => RowPlace): Promise<number | null> {
    const parts: RowPart[] = [];
    const shape = await this.walkRow(parts);
    if (shape === null) return null;
    const { values, at } = place(shape);
    let offset = at;
    for (const part of parts) {
      const open = part.at;
      if (open.skip > 0) {
        await open.page.values.skip(open.skip);
        open.skip = 0;
      }
      for (const run of part.runs) {
        if (run > 0) await open.page.values.read(values, offset, run);
        else (values as Float64Array).fill(this.hole as number, offset, offset - run);
        offset += Math.abs(run);
      }
      if (open !== this.current) open.page.values.close();
    }
    return shape;
  }

  close(): void {
    this.current?.page.values.close();
    this.current = null;
  }

  /** The page whose next level starts a row or continues one; null past the chunk's last page. */
  private async page(): Promise<OpenPage | null> {
    while (this.current === null || this.current.page.rep.levelsLeft === 0) {
      if (this.done) return null;
      const page = await this.pages.next();
      if (page === null) {
        this.done = true;
        return null;
      }
      if (page.rep.levelsLeft !== page.def.levelsLeft) throw new PageFault('a page has different numbers of repetition and definition levels');
      this.current = { page, skip: 0 };
    }
    return this.current;
  }

  /**
   * Goes over the next row's levels. With `parts`, records where its values are; without, marks them to
   * be skipped. Returns null for a NULL row, else the row's length.
   */
  private async walkRow(parts: RowPart[] | null): Promise<number | null> {
    let open = await this.page();
    if (open === null) throw new PageFault('the column chunk has fewer rows than its row group');
    const { listDef, elementDef, maxDef } = this.leaf;
    let { rep, def } = open.page;
    if (rep.value !== 0) throw new PageFault('a row starts in the middle of a list');
    const first = def.value;
    rep.take(1);
    def.take(1);
    if (first < listDef) return null;
    if (first === listDef) return 0;
    let runs: number[] = [];
    let length = 0;
    let present = 0;
    const add = (n: number, isValue: boolean) => {
      length += n;
      if (isValue) present += n;
      if (parts === null) return;
      const last = runs.at(-1);
      if (last !== undefined && last > 0 === isValue) runs[runs.length - 1] = last + (isValue ? n : -n);
      else runs.push(isValue ? n : -n);
    };
    if (first < elementDef) throw new PageFault(`a list element has definition level ${first}`);
    add(1, first === maxDef);
    for (;;) {
      if (rep.levelsLeft === 0) {
        // The row may go on in the next page. A page being read is closed once its part is read; one
        // being skipped has no more values anyone needs.
        if (parts !== null) parts.push({ at: open, runs });
        else open.page.values.close();
        this.current = null;
        const next = await this.page();
        if (next === null || next.page.rep.value === 0) return length;
        open = next;
        ({ rep, def } = open.page);
        runs = [];
        present = 0;
        continue;
      }
      if (rep.value === 0) break;
      const n = Math.min(rep.left, def.left);
      const d = def.value;
      if (d < elementDef) throw new PageFault(`a list element has definition level ${d}`);
      add(n, d === maxDef);
      rep.take(n);
      def.take(n);
    }
    if (parts !== null) parts.push({ at: open, runs });
    else open.skip += present;
    return length;
  }
}

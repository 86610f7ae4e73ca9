/** A page that cannot be read as its header says (truncated, corrupt, wrong size). The caller adds file/row group/column. */
export class PageFault extends Error {
  override readonly name = 'PageFault';
}

// A page that cannot be read as its header says. The reader adds the file, row group and column.

export class PageFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageFault';
  }
}

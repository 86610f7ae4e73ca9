// snappyjs ships no types: the two functions the tests use (raw snappy blocks, as Parquet stores them).
declare module 'snappyjs' {
  export function compress(data: Uint8Array): Uint8Array;
  export function uncompress(data: Uint8Array, maxLength?: number): Uint8Array;
}

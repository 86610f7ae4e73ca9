// A protobuf wire-format encoder, just enough for ONNX. It collects byte parts and copies them once in
// finish(), so a 100 MB initializer is referenced, not copied, while the message is assembled.

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LENGTH_DELIMITED = 2;

const TWO_POW_32 = 2 ** 32;

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  /** Total encoded size in bytes so far. */
  get byteLength(): number {
    return this.length;
  }

  /** An int32/int64/enum/bool field as a varint; negative values take 10 bytes (two's complement). */
  varintField(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** A float field (wire type fixed32, little-endian). */
  floatField(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  stringField(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  /** A bytes field; the data is referenced until finish(). */
  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(data.byteLength);
    this.push(data);
    return this;
  }

  /** An embedded message field; the sub-writer's parts are referenced until finish(). */
  messageField(field: number, message: ProtoWriter): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(message.length);
    for (const part of message.parts) this.push(part);
    return this;
  }

  /** The message's bytes, in a SharedArrayBuffer when `shared`. */
  finish(shared = false): Uint8Array {
    const out = new Uint8Array(shared ? new SharedArrayBuffer(this.length) : new ArrayBuffer(this.length));
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.byteLength;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 536870911) {
      throw new RangeError(`protobuf field number must be an integer in 1..2^29-1, got ${field}`);
    }
    this.varint(field * 8 + wireType);
  }

  private varint(value: number | bigint): void {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`varint must be a safe integer, got ${value}`);
      if (value >= 0) {
        this.push(encodeUnsigned(value));
        return;
      }
    }
    this.push(encodeUnsigned64(BigInt.asUintN(64, BigInt(value))));
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.byteLength;
  }
}

function encodeUnsigned(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  // Plain arithmetic, not bit operators: JS bit operators truncate to 32 bits.
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) + 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

function encodeUnsigned64(value: bigint): Uint8Array {
  if (value < BigInt(TWO_POW_32)) return encodeUnsigned(Number(value));
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Uint8Array.from(bytes);
}

/**
 * The few protobuf wire types the Tablestore requests we send use: varints (enums, bools, int32),
 * and length-delimited fields (strings, bytes, nested messages). Written by hand because
 * protobufjs plus the SDK's compiled schema of 94 messages cost most of the store's cold start;
 * the wire fake decodes what this writes with the SDK's own schema, which keeps it honest.
 */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

/** Builds one message; nested messages are written with `message(field, writer)`. */
export class ProtoWriter {
  readonly #chunks: Buffer[] = [];
  #length = 0;

  #push(chunk: Buffer): this {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return this;
  }

  #varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new ProtobufError(`varint out of range: ${value}`);
    const bytes: number[] = [];
    let rest = value;
    while (rest > 0x7f) {
      bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
    return this.#push(Buffer.from(bytes));
  }

  #key(field: number, wireType: number): this {
    return this.#varint(field * 8 + wireType);
  }

  /** An enum, int32 (non-negative here) or uint. */
  uint(field: number, value: number): this {
    return this.#key(field, WIRE_VARINT).#varint(value);
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  bytes(field: number, value: Uint8Array): this {
    return this.#key(field, WIRE_LEN).#varint(value.length).#push(Buffer.from(value.buffer, value.byteOffset, value.length));
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (writer: ProtoWriter) => unknown): this {
    const nested = new ProtoWriter();
    build(nested);
    return this.bytes(field, nested.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.#chunks, this.#length);
  }
}

/** One decoded field: varints as numbers, length-delimited ones as bytes to decode further. */
export type ProtoField = { readonly field: number; readonly varint: number } | { readonly field: number; readonly bytes: Buffer };

/** Reads a message's fields in order; fixed-width fields are skipped (none of ours use them). */
export const readFields = (buffer: Uint8Array): ProtoField[] => {
  const data = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.length);
  const fields: ProtoField[] = [];
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let shift = 0; shift < 64; shift += 7) {
      const byte = data[pos];
      if (byte === undefined) throw new ProtobufError('truncated varint');
      pos += 1;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
      if (byte < 0x80) return value;
    }
    throw new ProtobufError('varint too long');
  };
  const skip = (count: number): void => {
    if (pos + count > data.length) throw new ProtobufError('truncated field');
    pos += count;
  };
  while (pos < data.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new ProtobufError('field number 0');
    if (wireType === WIRE_VARINT) fields.push({ field, varint: varint() });
    else if (wireType === WIRE_LEN) {
      const length = varint();
      const start = pos;
      skip(length);
      fields.push({ field, bytes: data.subarray(start, start + length) });
    } else if (wireType === WIRE_I64) skip(8);
    else if (wireType === WIRE_I32) skip(4);
    else throw new ProtobufError(`unsupported wire type ${wireType}`);
  }
  return fields;
};

/** Field accessors over a decoded message; a wrong wire type reads as absent. */
export class ProtoMessage {
  readonly #fields: ProtoField[];
  constructor(buffer: Uint8Array) {
    this.#fields = readFields(buffer);
  }

  #all(field: number): ProtoField[] {
    return this.#fields.filter((entry) => entry.field === field);
  }

  varint(field: number): number | undefined {
    const found = this.#all(field).findLast((entry) => 'varint' in entry);
    return found && 'varint' in found ? found.varint : undefined;
  }

  bytes(field: number): Buffer | undefined {
    const found = this.#all(field).findLast((entry) => 'bytes' in entry);
    return found && 'bytes' in found ? found.bytes : undefined;
  }

  string(field: number): string | undefined {
    return this.bytes(field)?.toString('utf8');
  }

  repeatedBytes(field: number): Buffer[] {
    return this.#all(field).flatMap((entry) => ('bytes' in entry ? [entry.bytes] : []));
  }

  messages(field: number): ProtoMessage[] {
    return this.repeatedBytes(field).map((bytes) => new ProtoMessage(bytes));
  }

  message(field: number): ProtoMessage | undefined {
    const bytes = this.bytes(field);
    return bytes === undefined ? undefined : new ProtoMessage(bytes);
  }
}

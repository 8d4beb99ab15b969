import TableStore from 'tablestore';

/**
 * Tablestore's PlainBuffer row format, read by hand: the SDK's own reader crashes on the cell
 * types UpdateRow sends (`cell_type is not defined`), and a fake must check what clients send
 * (checksums included) rather than trust it. Writing rows back reuses the SDK's builder.
 */

const HEADER = 0x75;
const Tag = {
  RowPk: 0x1,
  RowData: 0x2,
  Cell: 0x3,
  CellName: 0x4,
  CellValue: 0x5,
  CellType: 0x6,
  CellTimestamp: 0x7,
  DeleteRowMarker: 0x8,
  RowChecksum: 0x9,
  CellChecksum: 0x0a,
} as const;
const VariantType = {
  Integer: 0x0,
  Double: 0x1,
  Boolean: 0x2,
  String: 0x3,
  Null: 0x6,
  Blob: 0x7,
  InfMin: 0x9,
  InfMax: 0xa,
  AutoIncrement: 0xb,
} as const;
export const CellOp = { Put: 0, DeleteAllVersions: 0x1, DeleteOneVersion: 0x3, Increment: 0x4 } as const;
export type CellOp = (typeof CellOp)[keyof typeof CellOp];

export type CellValue =
  | { readonly type: 'integer'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'blob'; readonly value: Buffer };

export type PkValue = CellValue | { readonly type: 'inf_min' } | { readonly type: 'inf_max' };

export interface PkCell {
  readonly name: string;
  readonly value: PkValue;
}
export interface AttributeCell {
  readonly name: string;
  readonly value?: CellValue | undefined;
  readonly op: CellOp;
  readonly timestamp?: bigint | undefined;
}
export interface PlainRow {
  readonly primaryKey: readonly PkCell[];
  readonly cells: readonly AttributeCell[];
  readonly deleteMarker: boolean;
}

export class PlainBufferError extends Error {}

const crc = TableStore.plainBufferCrc8;
const crcBytes = (seed: number, bytes: Buffer): number => bytes.reduce((acc, byte) => crc.crcInt8(acc, byte), seed);
const le32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
};

class Reader {
  #pos = 0;
  #tag = -1;
  constructor(private readonly buffer: Buffer) {}

  byte(): number {
    const value = this.buffer[this.#pos];
    if (value === undefined) throw new PlainBufferError('unexpected end of row');
    this.#pos += 1;
    return value;
  }
  bytes(length: number): Buffer {
    if (length < 0 || this.#pos + length > this.buffer.length) throw new PlainBufferError('unexpected end of row');
    const slice = this.buffer.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return slice;
  }
  u32(): number {
    return this.bytes(4).readUInt32LE(0);
  }
  nextTag(): void {
    this.#tag = this.#pos < this.buffer.length ? this.byte() : -1;
  }
  tag(): number {
    return this.#tag;
  }
  rest(): Buffer {
    return this.buffer.subarray(this.#pos);
  }
}

/** Reads a variant (type byte + payload) and folds it into the cell checksum as the SDK does. */
const readVariant = (reader: Reader, checksum: number): { value: PkValue; checksum: number } => {
  const type = reader.byte();
  let sum = crc.crcInt8(checksum, type);
  switch (type) {
    case VariantType.Integer: {
      const raw = reader.bytes(8);
      return { value: { type: 'integer', value: raw.readBigInt64LE(0) }, checksum: crcBytes(sum, raw) };
    }
    case VariantType.Double: {
      const raw = reader.bytes(8);
      return { value: { type: 'double', value: raw.readDoubleLE(0) }, checksum: crcBytes(sum, raw) };
    }
    case VariantType.Boolean: {
      const flag = reader.byte();
      return { value: { type: 'boolean', value: flag !== 0 }, checksum: crc.crcInt8(sum, flag) };
    }
    case VariantType.String:
    case VariantType.Blob: {
      const length = reader.u32();
      const raw = Buffer.from(reader.bytes(length));
      sum = crcBytes(crcBytes(sum, le32(length)), raw);
      const value: PkValue =
        type === VariantType.String ? { type: 'string', value: raw.toString('utf8') } : { type: 'blob', value: raw };
      return { value, checksum: sum };
    }
    case VariantType.InfMin:
      return { value: { type: 'inf_min' }, checksum: sum };
    case VariantType.InfMax:
      return { value: { type: 'inf_max' }, checksum: sum };
    default:
      throw new PlainBufferError(`unsupported variant type ${type}`);
  }
};

/** Decodes a bare variant, as column conditions carry their value. */
export const decodeVariant = (bytes: Uint8Array): PkValue => readVariant(new Reader(Buffer.from(bytes)), 0).value;

const readCell = (reader: Reader) => {
  if (reader.tag() !== Tag.Cell) throw new PlainBufferError(`expected a cell, got tag ${reader.tag()}`);
  reader.nextTag();
  if (reader.tag() !== Tag.CellName) throw new PlainBufferError('expected a cell name');
  const nameBytes = Buffer.from(reader.bytes(reader.u32()));
  let checksum = crcBytes(0, nameBytes);
  reader.nextTag();
  let value: PkValue | undefined;
  let op: CellOp = CellOp.Put;
  let timestamp: bigint | undefined;
  if (reader.tag() === Tag.CellValue) {
    reader.u32();
    const read = readVariant(reader, checksum);
    value = read.value;
    checksum = read.checksum;
    reader.nextTag();
  }
  if (reader.tag() === Tag.CellType) {
    const type = reader.byte();
    if (type !== CellOp.DeleteAllVersions && type !== CellOp.DeleteOneVersion && type !== CellOp.Increment) {
      throw new PlainBufferError(`unknown cell type ${type}`);
    }
    op = type;
    reader.nextTag();
  }
  if (reader.tag() === Tag.CellTimestamp) {
    const raw = reader.bytes(8);
    timestamp = raw.readBigInt64LE(0);
    checksum = crcBytes(checksum, raw);
    reader.nextTag();
  }
  if (op !== CellOp.Put) checksum = crc.crcInt8(checksum, op);
  if (reader.tag() !== Tag.CellChecksum) throw new PlainBufferError('expected a cell checksum');
  if (reader.byte() !== checksum) throw new PlainBufferError(`cell checksum mismatch on ${nameBytes.toString('utf8')}`);
  reader.nextTag();
  return { name: nameBytes.toString('utf8'), value, op, timestamp, checksum };
};

/** Reads one row (primary key and, for writes, its cells) with all its checksums verified. */
export const readPlainRow = (bytes: Uint8Array): PlainRow => {
  const reader = new Reader(Buffer.from(bytes));
  if (reader.u32() !== HEADER) throw new PlainBufferError('bad PlainBuffer header');
  reader.nextTag();
  let rowChecksum = 0;
  const primaryKey: PkCell[] = [];
  const cells: AttributeCell[] = [];
  if (reader.tag() !== Tag.RowPk) throw new PlainBufferError('expected the primary key');
  reader.nextTag();
  while (reader.tag() === Tag.Cell) {
    const cell = readCell(reader);
    if (cell.value === undefined) throw new PlainBufferError(`primary key column ${cell.name} has no value`);
    primaryKey.push({ name: cell.name, value: cell.value });
    rowChecksum = crc.crcInt8(rowChecksum, cell.checksum);
  }
  if (reader.tag() === Tag.RowData) {
    reader.nextTag();
    while (reader.tag() === Tag.Cell) {
      const cell = readCell(reader);
      const value = cell.value;
      if (value?.type === 'inf_min' || value?.type === 'inf_max') throw new PlainBufferError('INF in a column');
      cells.push({ name: cell.name, value, op: cell.op, timestamp: cell.timestamp });
      rowChecksum = crc.crcInt8(rowChecksum, cell.checksum);
    }
  }
  const deleteMarker = reader.tag() === Tag.DeleteRowMarker;
  if (deleteMarker) reader.nextTag();
  rowChecksum = crc.crcInt8(rowChecksum, deleteMarker ? 1 : 0);
  if (reader.tag() !== Tag.RowChecksum) throw new PlainBufferError('expected the row checksum');
  if (reader.byte() !== rowChecksum) throw new PlainBufferError('row checksum mismatch');
  // The SDK over-sizes the buffer of an UpdateRow with DELETE_ALL and sends the zero padding; the
  // service accepts it, so the fake does too, but nothing else after the row.
  if (!reader.rest().every((byte) => byte === 0)) throw new PlainBufferError('trailing bytes after the row');
  return { primaryKey, cells, deleteMarker };
};

const toSdkValue = (value: PkValue): TableStore.CellValue | object => {
  switch (value.type) {
    case 'integer':
      return TableStore.Long.fromString(value.value.toString());
    case 'inf_min':
      return TableStore.INF_MIN;
    case 'inf_max':
      return TableStore.INF_MAX;
    default:
      return value.value;
  }
};

const sdkPrimaryKey = (primaryKey: readonly PkCell[]) => primaryKey.map((cell) => ({ [cell.name]: toSdkValue(cell.value) }));

/** One row as the service answers it (GetRow, and each row of GetRange once the header is dropped). */
export const writeRow = (
  primaryKey: readonly PkCell[],
  attributes: ReadonlyArray<{ name: string; value: CellValue }>,
): Buffer =>
  TableStore.PlainBufferBuilder.serializeForPutRow(
    sdkPrimaryKey(primaryKey),
    attributes.map((cell) => ({ [cell.name]: toSdkValue(cell.value) as TableStore.CellValue })),
  );

/** Several rows under one header, as GetRange carries them. */
export const writeRows = (rows: readonly Buffer[]): Buffer =>
  rows.length === 0 ? Buffer.alloc(0) : Buffer.concat(rows.map((row, index) => (index === 0 ? row : row.subarray(4))));

export const writePrimaryKey = (primaryKey: readonly PkCell[]): Buffer =>
  TableStore.PlainBufferBuilder.serializePrimaryKey(sdkPrimaryKey(primaryKey));

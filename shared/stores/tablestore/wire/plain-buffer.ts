/**
 * Tablestore's PlainBuffer row format, for the cell types the job store uses (strings and 64-bit
 * integers as values, strings as keys, INF_MIN/INF_MAX as range ends). Every cell and every row
 * carries a CRC-8 (polynomial 0x07) the service checks; rows read back are checked the same way.
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
const VariantType = { Integer: 0x0, Double: 0x1, Boolean: 0x2, String: 0x3, Blob: 0x7, InfMin: 0x9, InfMax: 0xa } as const;
/** What an UpdateRow cell does; PUT has no type byte on the wire. */
export const CellOp = { Put: 0x0, DeleteAll: 0x1 } as const;
export type CellOp = (typeof CellOp)[keyof typeof CellOp];

/** A cell value as this store writes and reads it. Integers are bigint: the wire's int64. */
export type Cell = string | bigint | number | boolean | Buffer;
export type KeyValue = string | { readonly inf: 'min' | 'max' };
export interface KeyCell {
  readonly name: string;
  readonly value: KeyValue;
}
export interface Column {
  readonly name: string;
  readonly value: Cell;
}
export interface DecodedRow {
  readonly primaryKey: ReadonlyArray<{ readonly name: string; readonly value: Cell }>;
  readonly columns: readonly Column[];
}

export class PlainBufferError extends Error {
  override readonly name = 'PlainBufferError';
}

const CRC_TABLE = ((): Uint8Array => {
  const table = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    table[byte] = crc;
  }
  return table;
})();

export const crc8 = (seed: number, bytes: Uint8Array | number): number => {
  if (typeof bytes === 'number') return CRC_TABLE[(seed ^ bytes) & 0xff] ?? 0;
  let crc = seed;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ?? 0;
  return crc;
};

const u32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
};
const i64 = (value: bigint): Buffer => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64LE(value);
  return buffer;
};

/** A variant's type byte and payload, and what the cell checksum folds in for it. */
const variant = (value: Cell | { readonly inf: 'min' | 'max' }): { type: number; payload: Buffer } => {
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    return { type: typeof value === 'string' ? VariantType.String : VariantType.Blob, payload: Buffer.concat([u32(bytes.length), bytes]) };
  }
  if (typeof value === 'bigint') return { type: VariantType.Integer, payload: i64(value) };
  if (typeof value === 'boolean') return { type: VariantType.Boolean, payload: Buffer.from([value ? 1 : 0]) };
  if (typeof value === 'number') {
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleLE(value);
    return { type: VariantType.Double, payload: buffer };
  }
  return { type: value.inf === 'min' ? VariantType.InfMin : VariantType.InfMax, payload: Buffer.alloc(0) };
};

/** A bare variant (type + payload), as a column condition carries its value. */
export const encodeVariant = (value: Cell): Buffer => {
  const { type, payload } = variant(value);
  return Buffer.concat([Buffer.from([type]), payload]);
};

class RowWriter {
  readonly parts: Buffer[] = [u32(HEADER)];
  #rowCrc = 0;

  #cell(name: string, value: Cell | { readonly inf: 'min' | 'max' } | undefined, op: CellOp): void {
    const nameBytes = Buffer.from(name, 'utf8');
    this.parts.push(Buffer.from([Tag.Cell, Tag.CellName]), u32(nameBytes.length), nameBytes);
    let crc = crc8(0, nameBytes);
    if (value !== undefined) {
      const { type, payload } = variant(value);
      this.parts.push(Buffer.from([Tag.CellValue]), u32(1 + payload.length), Buffer.from([type]), payload);
      crc = crc8(crc8(crc, type), payload);
    }
    if (op !== CellOp.Put) {
      this.parts.push(Buffer.from([Tag.CellType, op]));
      crc = crc8(crc, op);
    }
    this.parts.push(Buffer.from([Tag.CellChecksum, crc]));
    this.#rowCrc = crc8(this.#rowCrc, crc);
  }

  primaryKey(cells: readonly KeyCell[]): this {
    this.parts.push(Buffer.from([Tag.RowPk]));
    for (const cell of cells) this.#cell(cell.name, cell.value, CellOp.Put);
    return this;
  }

  columns(columns: ReadonlyArray<{ readonly name: string; readonly value?: Cell | undefined; readonly op?: CellOp | undefined }>): this {
    if (columns.length === 0) return this;
    this.parts.push(Buffer.from([Tag.RowData]));
    for (const column of columns) this.#cell(column.name, column.value, column.op ?? CellOp.Put);
    return this;
  }

  finish(deleteMarker = false): Buffer {
    if (deleteMarker) this.parts.push(Buffer.from([Tag.DeleteRowMarker]));
    this.parts.push(Buffer.from([Tag.RowChecksum, crc8(this.#rowCrc, deleteMarker ? 1 : 0)]));
    return Buffer.concat(this.parts);
  }
}

const key = (pk: string): KeyCell[] => [{ name: 'pk', value: pk }];

/** The primary key alone: GetRow, BatchGetRow and the ends of a GetRange. */
export const encodePrimaryKey = (cells: readonly KeyCell[]): Buffer => new RowWriter().primaryKey(cells).finish();
export const encodeKey = (pk: string): Buffer => encodePrimaryKey(key(pk));
/** A whole row: PutRow. */
export const encodePutRow = (pk: string, columns: readonly Column[]): Buffer => new RowWriter().primaryKey(key(pk)).columns(columns).finish();
/** Column changes: UpdateRow. */
export const encodeUpdateRow = (
  pk: string,
  changes: ReadonlyArray<{ readonly name: string; readonly value?: Cell | undefined; readonly op?: CellOp | undefined }>,
): Buffer => new RowWriter().primaryKey(key(pk)).columns(changes).finish();
/** The key and the delete marker: DeleteRow. */
export const encodeDeleteRow = (pk: string): Buffer => new RowWriter().primaryKey(key(pk)).finish(true);

/** Reads rows (one for GetRow, many for GetRange) and checks every checksum. */
export const decodeRows = (bytes: Uint8Array): DecodedRow[] => {
  if (bytes.length === 0) return [];
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let pos = 0;
  const need = (count: number): void => {
    if (pos + count > data.length) throw new PlainBufferError('unexpected end of row');
  };
  const byte = (): number => {
    need(1);
    const value = data[pos] ?? 0;
    pos += 1;
    return value;
  };
  const take = (count: number): Buffer => {
    need(count);
    pos += count;
    return data.subarray(pos - count, pos);
  };
  const peek = (): number | undefined => data[pos];
  const readCell = (): { name: string; value: Cell | undefined; crc: number } => {
    if (byte() !== Tag.Cell || byte() !== Tag.CellName) throw new PlainBufferError('expected a cell name');
    const name = take(take(4).readUInt32LE(0));
    let crc = crc8(0, name);
    let value: Cell | undefined;
    if (peek() === Tag.CellValue) {
      pos += 1;
      take(4);
      const type = byte();
      crc = crc8(crc, type);
      if (type === VariantType.String || type === VariantType.Blob) {
        const length = take(4);
        const raw = take(length.readUInt32LE(0));
        crc = crc8(crc8(crc, length), raw);
        value = type === VariantType.String ? raw.toString('utf8') : Buffer.from(raw);
      } else if (type === VariantType.Integer || type === VariantType.Double) {
        const raw = take(8);
        crc = crc8(crc, raw);
        value = type === VariantType.Integer ? raw.readBigInt64LE(0) : raw.readDoubleLE(0);
      } else if (type === VariantType.Boolean) {
        const flag = byte();
        crc = crc8(crc, flag);
        value = flag !== 0;
      } else throw new PlainBufferError(`unsupported value type ${type}`);
    }
    if (peek() === Tag.CellType) {
      pos += 1;
      crc = crc8(crc, byte());
    }
    if (peek() === Tag.CellTimestamp) {
      pos += 1;
      crc = crc8(crc, take(8));
    }
    if (byte() !== Tag.CellChecksum) throw new PlainBufferError('expected a cell checksum');
    if (byte() !== crc) throw new PlainBufferError(`cell checksum mismatch on ${name.toString('utf8')}`);
    return { name: name.toString('utf8'), value, crc };
  };

  if (take(4).readUInt32LE(0) !== HEADER) throw new PlainBufferError('bad PlainBuffer header');
  const rows: DecodedRow[] = [];
  while (pos < data.length) {
    let rowCrc = 0;
    const primaryKey: { name: string; value: Cell }[] = [];
    const columns: Column[] = [];
    if (peek() === Tag.RowPk) {
      pos += 1;
      while (peek() === Tag.Cell) {
        const cell = readCell();
        if (cell.value === undefined) throw new PlainBufferError(`key column ${cell.name} has no value`);
        primaryKey.push({ name: cell.name, value: cell.value });
        rowCrc = crc8(rowCrc, cell.crc);
      }
    }
    if (peek() === Tag.RowData) {
      pos += 1;
      while (peek() === Tag.Cell) {
        const cell = readCell();
        if (cell.value !== undefined) columns.push({ name: cell.name, value: cell.value });
        rowCrc = crc8(rowCrc, cell.crc);
      }
    }
    const deleted = peek() === Tag.DeleteRowMarker;
    if (deleted) pos += 1;
    rowCrc = crc8(rowCrc, deleted ? 1 : 0);
    if (byte() !== Tag.RowChecksum) throw new PlainBufferError('expected the row checksum');
    if (byte() !== rowCrc) throw new PlainBufferError('row checksum mismatch');
    rows.push({ primaryKey, columns });
  }
  return rows;
};

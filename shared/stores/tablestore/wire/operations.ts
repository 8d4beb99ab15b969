import { lazy } from '../../lazy';
import { OtsError, type OtsTransport } from './ots-client';
import { type Cell, type Column, type DecodedRow, decodeRows, encodeKey, encodePrimaryKey, encodeVariant } from './plain-buffer';
import { ProtoMessage, ProtoWriter } from './protobuf';
import * as z from '../../../core/zod';

/**
 * The Tablestore operations the job store uses, as protobuf messages (field numbers from the
 * service's tablestore.proto and tablestore_filter.proto), over any OtsTransport. Every answer is
 * decoded, then parsed with zod, so a short or odd answer is an error and never a wrong row.
 */

export const RowExistence = { Ignore: 0, ExpectExist: 1, ExpectNotExist: 2 } as const;
export type RowExistence = (typeof RowExistence)[keyof typeof RowExistence];
export const Comparator = { Equal: 1, NotEqual: 2, Greater: 3, GreaterEqual: 4, Less: 5, LessEqual: 6 } as const;
export type Comparator = (typeof Comparator)[keyof typeof Comparator];
/** BatchWriteRow's OperationType. */
export const WriteType = { Put: 1, Update: 2, Delete: 3 } as const;
export type WriteType = (typeof WriteType)[keyof typeof WriteType];

/** Row existence, and optionally one column compared with a value. */
export interface WriteCondition {
  readonly rowExistence: RowExistence;
  readonly column?: {
    readonly name: string;
    readonly comparator: Comparator;
    readonly value: Cell;
    /** Whether a row without the column passes; the wire carries the negation. */
    readonly passIfMissing: boolean;
  };
}

export interface BatchWrite {
  readonly type: WriteType;
  /** PlainBuffer from encodePutRow / encodeUpdateRow / encodeDeleteRow. */
  readonly row: Buffer;
  readonly condition: WriteCondition;
}

export type RowOutcome = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/** The service's caps per request. */
export const BATCH_GET_LIMIT = 100;
export const BATCH_WRITE_LIMIT = 200;
/** The service refuses a request over 4 MB; rows are chunked well below it. */
export const BATCH_WRITE_MAX_BYTES = 3 * 1024 * 1024;

const FILTER_SINGLE_COLUMN = 1;
const PK_TYPE_STRING = 2;
/**
 * TableOptions{time_to_live: -1, max_versions: 1}: protobuf writes a negative int32 as a ten-byte
 * varint, which the writer's non-negative varints do not cover, so these bytes are spelled out.
 */
const TABLE_OPTIONS = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x10, 0x01]);

const writeCondition = (writer: ProtoWriter, field: number, condition: WriteCondition): void => {
  writer.message(field, (message) => {
    message.uint(1, condition.rowExistence);
    const column = condition.column;
    if (!column) return;
    const single = new ProtoWriter()
      .uint(1, column.comparator)
      .string(2, column.name)
      .bytes(3, encodeVariant(column.value))
      .bool(4, !column.passIfMissing)
      .bool(5, true)
      .finish();
    message.bytes(2, new ProtoWriter().uint(1, FILTER_SINGLE_COLUMN).bytes(2, single).finish());
  });
};

/** The shapes of decoded answers, built on first use (../../lazy). */
const schemas = lazy(() => {
  const bytes = z.instanceof(Buffer);
  const rowError = z.object({ code: z.string().check(z.minLength(1)), message: z.string() });
  return {
    bytes,
    rowOutcome: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true) }),
      z.object({ ok: z.literal(false), code: z.string().check(z.minLength(1)), message: z.string() }),
    ]),
    range: z.object({ rows: bytes, next: z.optional(bytes) }),
    batchGetRow: z.object({ ok: z.boolean(), row: z.optional(bytes), error: z.optional(rowError) }),
  };
});

const badAnswer = (operation: string, cause: unknown): OtsError =>
  new OtsError('TablestoreBadResponse', `Tablestore ${operation} answered an unexpected shape${cause instanceof Error ? `: ${cause.message}` : ''}`);

/** Decodes and validates an answer; anything unreadable becomes a terminal TablestoreBadResponse. */
const readAnswer = <T>(operation: string, read: () => T): T => {
  try {
    return read();
  } catch (error) {
    if (error instanceof OtsError) throw error;
    throw badAnswer(operation, error);
  }
};

const rowOutcome = (row: ProtoMessage): RowOutcome => {
  const error = row.message(2);
  return z.parse(
    schemas().rowOutcome,
    row.varint(1) === 1 ? { ok: true } : { ok: false, code: error?.string(1) ?? 'TablestoreError', message: error?.string(2) ?? '' },
  );
};

/** The only row a single-row answer may hold, keyed to the table's `pk` column. */
const onlyRow = (bytes: Buffer | undefined): DecodedRow | undefined => {
  const rows = decodeRows(bytes ?? Buffer.alloc(0));
  if (rows.length > 1) throw new Error(`${rows.length} rows where one was expected`);
  return rows[0];
};

export class TablestoreOperations {
  constructor(
    readonly transport: OtsTransport,
    readonly table: string,
  ) {}

  async createTable(): Promise<void> {
    const body = new ProtoWriter()
      .message(1, (meta) => meta.string(1, this.table).message(2, (key) => key.string(1, 'pk').uint(2, PK_TYPE_STRING)))
      .message(2, (throughput) => throughput.message(1, (unit) => unit.uint(1, 0).uint(2, 0)))
      .bytes(3, TABLE_OPTIONS)
      .finish();
    await this.transport.call('CreateTable', body);
  }

  async putRow(row: Buffer, condition: WriteCondition): Promise<void> {
    const writer = new ProtoWriter().string(1, this.table).bytes(2, row);
    writeCondition(writer, 3, condition);
    await this.transport.call('PutRow', writer.finish());
  }

  async updateRow(row: Buffer, condition: WriteCondition): Promise<void> {
    const writer = new ProtoWriter().string(1, this.table).bytes(2, row);
    writeCondition(writer, 3, condition);
    await this.transport.call('UpdateRow', writer.finish());
  }

  async deleteRow(row: Buffer, condition: WriteCondition): Promise<void> {
    const writer = new ProtoWriter().string(1, this.table).bytes(2, row);
    writeCondition(writer, 3, condition);
    await this.transport.call('DeleteRow', writer.finish());
  }

  /** The row's columns, or undefined when there is no such row. */
  async getRow(pk: string): Promise<DecodedRow | undefined> {
    const body = new ProtoWriter().string(1, this.table).bytes(2, encodeKey(pk)).uint(5, 1).finish();
    const answer = await this.transport.call('GetRow', body);
    return readAnswer('GetRow', () => onlyRow(z.parse(schemas().bytes, new ProtoMessage(answer).bytes(2))));
  }

  /** One page of [start, end); `next` is where the following page starts. */
  async getRange(start: string, end: string): Promise<{ rows: DecodedRow[]; next?: string | undefined }> {
    const body = new ProtoWriter()
      .string(1, this.table)
      .uint(2, 0)
      .uint(5, 1)
      .bytes(7, encodePrimaryKey([{ name: 'pk', value: start }]))
      .bytes(8, encodePrimaryKey([{ name: 'pk', value: end }]))
      .finish();
    const answer = await this.transport.call('GetRange', body);
    return readAnswer('GetRange', () => {
      const message = new ProtoMessage(answer);
      const page = z.parse(schemas().range, { rows: message.bytes(2), next: message.bytes(3) });
      const nextRow = page.next && page.next.length > 0 ? decodeRows(page.next)[0] : undefined;
      const next = nextRow?.primaryKey[0]?.value;
      if (nextRow && typeof next !== 'string') throw new Error('the next start key is not a string');
      return { rows: decodeRows(page.rows), next: typeof next === 'string' ? next : undefined };
    });
  }

  /** Up to BATCH_GET_LIMIT rows, in the order asked; a row can fail alone. */
  async batchGetRow(pks: readonly string[]): Promise<Array<{ ok: true; row: DecodedRow | undefined } | { ok: false; code: string; message: string }>> {
    const body = new ProtoWriter()
      .message(1, (table) => {
        table.string(1, this.table);
        for (const pk of pks) table.bytes(2, encodeKey(pk));
        table.uint(6, 1);
      })
      .finish();
    const answer = await this.transport.call('BatchGetRow', body);
    return readAnswer('BatchGetRow', () => {
      const rows = new ProtoMessage(answer).messages(1).flatMap((table) => table.messages(2));
      if (rows.length !== pks.length) throw new Error(`${rows.length} rows for ${pks.length} keys`);
      return rows.map((row) => {
        const error = row.message(2);
        const parsed = z.parse(schemas().batchGetRow, {
          ok: row.varint(1) === 1,
          row: row.bytes(4),
          error: error && { code: error.string(1), message: error.string(2) ?? '' },
        });
        if (!parsed.ok) return { ok: false as const, code: parsed.error?.code ?? 'TablestoreError', message: parsed.error?.message ?? '' };
        return { ok: true as const, row: onlyRow(parsed.row) };
      });
    });
  }

  /** Up to BATCH_WRITE_LIMIT writes, each with its own condition; answers per write, in order. */
  async batchWriteRow(writes: readonly BatchWrite[]): Promise<RowOutcome[]> {
    const body = new ProtoWriter()
      .message(1, (table) => {
        table.string(1, this.table);
        for (const write of writes) {
          table.message(2, (row) => {
            row.uint(1, write.type).bytes(2, write.row);
            writeCondition(row, 3, write.condition);
          });
        }
      })
      .finish();
    const answer = await this.transport.call('BatchWriteRow', body);
    return readAnswer('BatchWriteRow', () => {
      const rows = new ProtoMessage(answer).messages(1).flatMap((table) => table.messages(2));
      if (rows.length !== writes.length) throw new Error(`${rows.length} answers for ${writes.length} writes`);
      return rows.map(rowOutcome);
    });
  }
}

/** A decoded row's columns by name. */
export const columnsOf = (row: DecodedRow | undefined): ReadonlyMap<string, Cell> =>
  new Map((row?.columns ?? []).map((column: Column) => [column.name, column.value]));


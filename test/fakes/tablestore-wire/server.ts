import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import protoRoot from 'tablestore/lib/protocol/tablestore_compiled_proto.js';
import { z } from 'zod';
import { type FakeCredentials, verifyRequest } from './auth';
import { type RowCondition, decodeCondition } from './conditions';
import { CellOp, type PkCell, PlainBufferError, readPlainRow, writePrimaryKey, writeRow, writeRows } from './plain-buffer';
import { FakeTable, MAX_RANGE_ROWS, OtsError, type StoredRow } from './tables';

/**
 * Tablestore on 127.0.0.1, speaking the real wire protocol (`POST /<Operation>`, protobuf bodies,
 * PlainBuffer rows, signed x-ots-* headers) so the real `tablestore` client can be pointed at it.
 */

export interface TablestoreWireFakeOptions extends FakeCredentials {
  /** Caps GetRange pages below the service's 5000 rows, to exercise pagination with few rows. */
  readonly maxRowsPerPage?: number | undefined;
  readonly now?: (() => Date) | undefined;
  /**
   * How the service treats a column condition on a row that does not exist is not documented;
   * the fake passes it by pass_if_missing unless this asks for the stricter reading.
   */
  readonly missingRowFailsColumnCondition?: boolean | undefined;
}

/** Makes matching requests fail the way the service (or the network) fails them. */
export interface Fault {
  readonly code: string;
  /** Defaults to the service's status for the code. */
  readonly status?: number | undefined;
  readonly message?: string | undefined;
  /** Only requests for this operation (e.g. 'UpdateRow'); any by default. */
  readonly operation?: string | undefined;
  readonly times?: number | undefined;
  /** Apply the request, then fail the answer: the client cannot tell whether its write happened. */
  readonly afterApply?: boolean | undefined;
  /** Drop the connection instead of answering. */
  readonly dropConnection?: boolean | undefined;
}

export interface RecordedRequest {
  readonly operation: string;
  readonly status: number;
  readonly table?: string | undefined;
  readonly primaryKeys: ReadonlyArray<readonly PkCell[]>;
  readonly condition?: RowCondition | undefined;
  /** BatchWriteRow: each row's condition, in the order of primaryKeys. */
  readonly conditions?: readonly RowCondition[] | undefined;
}

/** Makes the next rows of BatchWriteRow fail alone, unapplied, the way a busy partition does. */
export interface RowFault {
  readonly code: string;
  readonly message?: string | undefined;
  /** How many rows, counted across requests. */
  readonly rows: number;
}

type RequestRecord = { table?: string; primaryKeys: PkCell[][]; condition?: RowCondition; conditions?: RowCondition[] };

const DEFAULT_STATUS: Readonly<Record<string, number>> = {
  OTSConditionCheckFail: 403,
  OTSAuthFailed: 403,
  OTSNotEnoughCapacityUnit: 403,
  OTSOperationThrottled: 403,
  OTSQuotaExhausted: 403,
  OTSObjectNotExist: 404,
  OTSTableNotReady: 404,
  OTSObjectAlreadyExist: 409,
  OTSRowOperationConflict: 409,
  OTSInternalServerError: 500,
  OTSServerBusy: 503,
  OTSPartitionUnavailable: 503,
  OTSServerUnavailable: 503,
  OTSTimeout: 503,
};

const main = protoRoot.main.proto;
const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array);
const pkSchemaEntry = z.object({ name: z.string(), type: z.number() });
const createTableSchema = z.object({
  tableMeta: z.object({ tableName: z.string().min(1), primaryKey: z.array(pkSchemaEntry).min(1) }),
});
const writeSchema = z.object({ tableName: z.string(), condition: z.unknown() });
const putSchema = writeSchema.extend({ row: bytes });
const updateSchema = writeSchema.extend({ rowChange: bytes });
const deleteSchema = writeSchema.extend({ primaryKey: bytes });
const getRowSchema = z.object({ tableName: z.string(), primaryKey: bytes, columnsToGet: z.array(z.string()) });
const getRangeSchema = z.object({
  tableName: z.string(),
  direction: z.number(),
  limit: z.number().optional(),
  inclusiveStartPrimaryKey: bytes,
  exclusiveEndPrimaryKey: bytes,
  columnsToGet: z.array(z.string()),
});
const batchWriteSchema = z.object({
  tables: z.array(
    z.object({
      tableName: z.string(),
      rows: z.array(z.object({ type: z.number(), rowChange: bytes, condition: z.unknown() })),
    }),
  ),
});
const batchGetSchema = z.object({
  tables: z.array(z.object({ tableName: z.string(), primaryKey: z.array(bytes), columnsToGet: z.array(z.string()) })),
});

const CONSUMED = { capacityUnit: { read: 1, write: 1 } };
const MAX_BATCH_GET_ROWS = 100;
const MAX_BATCH_WRITE_ROWS = 200;
/** BatchWriteRow's OperationType. */
const WriteType = { Put: 1, Update: 2, Delete: 3 } as const;

const encode = (type: string, message: Record<string, unknown>): Uint8Array => {
  const messageType = main[type]!;
  return messageType.encode(messageType.create(message)).finish();
};

export class TablestoreWireFake {
  readonly #server: Server;
  readonly #options: TablestoreWireFakeOptions;
  readonly #tables = new Map<string, FakeTable>();
  #faults: Array<Fault & { remaining: number }> = [];
  #rowFaults: Array<RowFault & { remaining: number }> = [];
  readonly requests: RecordedRequest[] = [];

  private constructor(options: TablestoreWireFakeOptions) {
    this.#options = options;
    this.#server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  /** Listens on an ephemeral port of 127.0.0.1. */
  static async start(options: TablestoreWireFakeOptions): Promise<TablestoreWireFake> {
    const fake = new TablestoreWireFake(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get endpoint(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((error) => (error ? reject(error) : resolve())));
  }

  /** The next matching request(s) fail with `fault`; several faults queue up in order. */
  failNext(fault: Fault): void {
    this.#faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** The next rows written by BatchWriteRow fail alone with `fault.code`; the rest of each batch applies. */
  failNextRows(fault: RowFault): void {
    this.#rowFaults.push({ ...fault, remaining: fault.rows });
  }

  requestCount(operation?: string): number {
    return this.requests.filter((request) => operation === undefined || request.operation === operation).length;
  }

  clearRequests(): void {
    this.requests.splice(0);
  }

  /** Writes rows straight into a table, without a request: seeding large tables quickly. */
  plant(table: string, rows: ReadonlyArray<{ pk: string; columns: Readonly<Record<string, string | bigint>> }>): void {
    const target = this.#table(table);
    const always = { rowExistence: 0 };
    for (const { pk, columns } of rows) {
      const cells = Object.entries(columns).map(([name, value]) => ({
        name,
        op: CellOp.Put,
        value: typeof value === 'bigint' ? ({ type: 'integer', value } as const) : ({ type: 'string', value } as const),
      }));
      target.put({ primaryKey: [{ name: 'pk', value: { type: 'string', value: pk } }], cells, deleteMarker: false }, always);
    }
  }

  rowCount(table: string): number {
    return this.#tables.get(table)?.size ?? 0;
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = (request.url ?? '/').replace(/^\//, '').split('?')[0] ?? '';
    const record: RequestRecord = { primaryKeys: [] };
    const answer = (status: number, payload: Uint8Array): void => {
      this.requests.push({ operation, status, ...record });
      response.writeHead(status, {
        'content-type': 'application/x-protobuf',
        'x-ots-requestid': randomUUID(),
        'x-ots-date': new Date().toISOString(),
      });
      response.end(Buffer.from(payload));
    };
    const answerError = (error: OtsError): void => answer(error.status, encode('Error', { code: error.code, message: error.message }));

    const refused =
      request.method !== 'POST'
        ? { status: 405, code: 'OTSMethodNotAllowed', message: 'Only POST is allowed.' }
        : verifyRequest({ path: request.url ?? '', method: 'POST', headers: request.headers, body }, this.#options, this.#now());
    if (refused) return answerError(new OtsError(refused.status, refused.code, refused.message));

    const fault = this.#takeFault(operation);
    const failWith = (active: Fault): void => {
      if (active.dropConnection) {
        this.requests.push({ operation, status: 0, ...record });
        request.socket.destroy();
        return;
      }
      const status = active.status ?? DEFAULT_STATUS[active.code] ?? 400;
      answerError(new OtsError(status, active.code, active.message ?? `Injected ${active.code}.`));
    };
    if (fault && !fault.afterApply) return failWith(fault);

    let payload: Uint8Array;
    try {
      payload = this.#dispatch(operation, body, record);
    } catch (error) {
      if (error instanceof OtsError) return answerError(error);
      if (error instanceof PlainBufferError || error instanceof z.ZodError) {
        return answerError(new OtsError(400, 'OTSParameterInvalid', `Invalid request: ${error.message}`));
      }
      return answerError(new OtsError(500, 'OTSInternalServerError', String(error)));
    }
    if (fault) return failWith(fault);
    answer(200, payload);
  }

  #now(): Date {
    return this.#options.now ? this.#options.now() : new Date();
  }

  #takeFault(operation: string): Fault | undefined {
    const fault = this.#faults.find((candidate) => candidate.operation === undefined || candidate.operation === operation);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults = this.#faults.filter((candidate) => candidate !== fault);
    return fault;
  }

  #table(name: string): FakeTable {
    const table = this.#tables.get(name);
    if (!table) throw new OtsError(404, 'OTSObjectNotExist', 'Requested table does not exist.');
    return table;
  }

  #takeRowFault(): RowFault | undefined {
    const fault = this.#rowFaults[0];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#rowFaults.shift();
    return fault;
  }

  /** Each row on its own, as the service does: one failing row leaves the others applied. */
  #batchWrite(request: z.infer<typeof batchWriteSchema>, record: RequestRecord): Uint8Array {
    const total = request.tables.reduce((sum, table) => sum + table.rows.length, 0);
    if (total > MAX_BATCH_WRITE_ROWS) throw new OtsError(400, 'OTSParameterInvalid', `Rows count exceeds the upper limit: ${MAX_BATCH_WRITE_ROWS}.`);
    record.conditions = [];
    const tables = request.tables.map((item) => {
      const table = this.#table(item.tableName);
      record.table = item.tableName;
      const rows = item.rows.map((write) => {
        const row = readPlainRow(write.rowChange);
        const condition = decodeCondition(write.condition);
        record.primaryKeys.push([...row.primaryKey]);
        record.conditions?.push(condition);
        const fault = this.#takeRowFault();
        if (fault) return { isOk: false, error: { code: fault.code, message: fault.message ?? `Injected ${fault.code}.` } };
        try {
          if (write.type === WriteType.Put) table.put(row, condition);
          else if (write.type === WriteType.Update) table.update(row, condition);
          else if (write.type === WriteType.Delete) {
            if (!row.deleteMarker) throw new OtsError(400, 'OTSParameterInvalid', 'A delete row needs the delete marker.');
            table.delete(row.primaryKey, condition);
          } else throw new OtsError(400, 'OTSParameterInvalid', `Unknown operation type ${write.type}.`);
          return { isOk: true, consumed: CONSUMED };
        } catch (error) {
          if (!(error instanceof OtsError)) throw error;
          return { isOk: false, error: { code: error.code, message: error.message } };
        }
      });
      return { tableName: item.tableName, rows };
    });
    return encode('BatchWriteRowResponse', { tables });
  }

  #dispatch(operation: string, body: Buffer, record: RequestRecord): Uint8Array {
    const decode = (type: string): unknown => main[type]!.decode(body);
    switch (operation) {
      case 'CreateTable': {
        const { tableMeta } = createTableSchema.parse(decode('CreateTableRequest'));
        record.table = tableMeta.tableName;
        if (this.#tables.has(tableMeta.tableName)) throw new OtsError(409, 'OTSObjectAlreadyExist', 'Requested table already exists.');
        this.#tables.set(tableMeta.tableName, new FakeTable({ name: tableMeta.tableName, primaryKey: tableMeta.primaryKey }, this.#options.missingRowFailsColumnCondition));
        return encode('CreateTableResponse', {});
      }
      case 'ListTable':
        return encode('ListTableResponse', { tableNames: [...this.#tables.keys()] });
      case 'PutRow': {
        const request = putSchema.parse(decode('PutRowRequest'));
        const row = readPlainRow(request.row);
        Object.assign(record, { table: request.tableName, primaryKeys: [row.primaryKey], condition: decodeCondition(request.condition) });
        this.#table(request.tableName).put(row, record.condition!);
        return encode('PutRowResponse', { consumed: CONSUMED });
      }
      case 'UpdateRow': {
        const request = updateSchema.parse(decode('UpdateRowRequest'));
        const row = readPlainRow(request.rowChange);
        Object.assign(record, { table: request.tableName, primaryKeys: [row.primaryKey], condition: decodeCondition(request.condition) });
        this.#table(request.tableName).update(row, record.condition!);
        return encode('UpdateRowResponse', { consumed: CONSUMED });
      }
      case 'DeleteRow': {
        const request = deleteSchema.parse(decode('DeleteRowRequest'));
        const row = readPlainRow(request.primaryKey);
        Object.assign(record, { table: request.tableName, primaryKeys: [row.primaryKey], condition: decodeCondition(request.condition) });
        this.#table(request.tableName).delete(row.primaryKey, record.condition!);
        return encode('DeleteRowResponse', { consumed: CONSUMED });
      }
      case 'GetRow': {
        const request = getRowSchema.parse(decode('GetRowRequest'));
        const { primaryKey } = readPlainRow(request.primaryKey);
        Object.assign(record, { table: request.tableName, primaryKeys: [primaryKey] });
        const row = this.#table(request.tableName).get(primaryKey);
        return encode('GetRowResponse', { consumed: CONSUMED, row: row ? answerRow(row, request.columnsToGet) : Buffer.alloc(0) });
      }
      case 'GetRange': {
        const request = getRangeSchema.parse(decode('GetRangeRequest'));
        record.table = request.tableName;
        const limit = Math.min(request.limit || MAX_RANGE_ROWS, this.#options.maxRowsPerPage ?? MAX_RANGE_ROWS, MAX_RANGE_ROWS);
        const start = readPlainRow(request.inclusiveStartPrimaryKey).primaryKey;
        const end = readPlainRow(request.exclusiveEndPrimaryKey).primaryKey;
        const page = this.#table(request.tableName).range(start, end, request.direction === 1, limit);
        record.primaryKeys = page.rows.map((row) => [...row.primaryKey]);
        return encode('GetRangeResponse', {
          consumed: CONSUMED,
          rows: writeRows(page.rows.map((row) => answerRow(row, request.columnsToGet))),
          ...(page.next ? { nextStartPrimaryKey: writePrimaryKey(page.next) } : {}),
        });
      }
      case 'BatchGetRow': {
        const request = batchGetSchema.parse(decode('BatchGetRowRequest'));
        const total = request.tables.reduce((sum, table) => sum + table.primaryKey.length, 0);
        if (total > MAX_BATCH_GET_ROWS) throw new OtsError(400, 'OTSParameterInvalid', 'Rows count exceeds the upper limit: 100.');
        const tables = request.tables.map((item) => {
          const table = this.#table(item.tableName);
          record.table = item.tableName;
          const rows = item.primaryKey.map((encoded) => {
            const { primaryKey } = readPlainRow(encoded);
            record.primaryKeys.push([...primaryKey]);
            const row = table.get(primaryKey);
            return { isOk: true, consumed: CONSUMED, row: row ? answerRow(row, item.columnsToGet) : Buffer.alloc(0) };
          });
          return { tableName: item.tableName, rows };
        });
        return encode('BatchGetRowResponse', { tables });
      }
      case 'BatchWriteRow':
        return this.#batchWrite(batchWriteSchema.parse(decode('BatchWriteRowRequest')), record);
      default:
        throw new OtsError(400, 'OTSUnsupportOperation', `Unsupported operation: '${operation}'.`);
    }
  }
}

const answerRow = (row: StoredRow, columnsToGet: readonly string[]): Buffer =>
  writeRow(
    row.primaryKey,
    [...row.columns.entries()]
      .filter(([name]) => columnsToGet.length === 0 || columnsToGet.includes(name))
      .map(([name, value]) => ({ name, value })),
  );

// The `tablestore` package ships no types. Only what the job store and its wire fake call is
// declared here; responses are typed loosely (`unknown` values) because the adapter parses them.

declare module 'tablestore' {
  namespace TableStore {
    /** int64-buffer's Int64LE: what the SDK reads integer cells into and writes them from. */
    interface Int64 {
      toNumber(): number;
      toString(radix?: number): string;
      toBuffer(): Buffer;
    }

    type CellValue = string | number | boolean | Buffer | Int64;
    /** INF_MIN / INF_MAX are opaque objects. */
    type PrimaryKeyInput = ReadonlyArray<Record<string, CellValue | object>>;
    type AttributeColumnsInput = ReadonlyArray<Record<string, CellValue>>;

    interface ClientConfig {
      accessKeyId: string;
      secretAccessKey: string;
      stsToken?: string | undefined;
      endpoint: string;
      instancename: string;
      /** Process-global in the SDK: it overwrites DefaultRetryPolicy.maxRetryTimes. */
      maxRetries?: number | undefined;
      httpOptions?: { timeout?: number | undefined; maxSockets?: number | undefined } | undefined;
    }

    class Condition {
      constructor(rowExistenceExpectation: number, columnCondition?: ColumnCondition | null);
    }
    class ColumnCondition {}
    class SingleColumnCondition extends ColumnCondition {
      constructor(
        columnName: string,
        columnValue: CellValue,
        comparator: number,
        passIfMissing?: boolean,
        latestVersionOnly?: boolean,
      );
    }

    interface TableMetaInput {
      tableName: string;
      primaryKey: ReadonlyArray<{ name: string; type: 'STRING' | 'INTEGER' | 'BINARY' }>;
    }

    interface WriteParams {
      tableName: string;
      condition: Condition;
      primaryKey: PrimaryKeyInput;
    }

    class Client {
      constructor(config: ClientConfig);
      createTable(params: {
        tableMeta: TableMetaInput;
        reservedThroughput: { capacityUnit: { read: number; write: number } };
        tableOptions: { timeToLive: number; maxVersions: number };
      }): Promise<unknown>;
      listTable(params: Record<string, never>): Promise<unknown>;
      putRow(params: WriteParams & { attributeColumns: AttributeColumnsInput }): Promise<unknown>;
      updateRow(
        params: WriteParams & {
          updateOfAttributeColumns: ReadonlyArray<
            { PUT: AttributeColumnsInput } | { DELETE_ALL: readonly string[] } | { DELETE: AttributeColumnsInput }
          >;
        },
      ): Promise<unknown>;
      deleteRow(params: WriteParams): Promise<unknown>;
      getRow(params: {
        tableName: string;
        primaryKey: PrimaryKeyInput;
        maxVersions?: number;
        columnsToGet?: readonly string[];
      }): Promise<unknown>;
      getRange(params: {
        tableName: string;
        direction: 'FORWARD' | 'BACKWARD';
        inclusiveStartPrimaryKey: PrimaryKeyInput;
        exclusiveEndPrimaryKey: PrimaryKeyInput;
        limit?: number;
        maxVersions?: number;
        columnsToGet?: readonly string[];
      }): Promise<unknown>;
      batchGetRow(params: {
        tables: ReadonlyArray<{
          tableName: string;
          primaryKey: readonly PrimaryKeyInput[];
          maxVersions?: number;
          columnsToGet?: readonly string[];
        }>;
      }): Promise<unknown>;
    }

    const Long: { fromNumber(value: number): Int64; fromString(value: string): Int64 };
    const RowExistenceExpectation: { readonly IGNORE: 0; readonly EXPECT_EXIST: 1; readonly EXPECT_NOT_EXIST: 2 };
    const ComparatorType: {
      readonly EQUAL: number;
      readonly NOT_EQUAL: number;
      readonly GREATER_THAN: number;
      readonly GREATER_EQUAL: number;
      readonly LESS_THAN: number;
      readonly LESS_EQUAL: number;
    };
    const INF_MIN: object;
    const INF_MAX: object;
    const DefaultRetryPolicy: { maxRetryTimes: number };

    /** Writers of PlainBuffer rows (used by the wire fake to answer with rows the SDK can read). */
    const PlainBufferBuilder: {
      serializeForPutRow(primaryKey: PrimaryKeyInput, attributeColumns: AttributeColumnsInput): Buffer;
      serializePrimaryKey(primaryKey: PrimaryKeyInput): Buffer;
    };
    const plainBufferCrc8: {
      crcInt8(crc: number, byte: number): number;
      crcString(crc: number, bytes: Buffer | string): number;
    };
  }

  const TableStore: {
    Client: typeof TableStore.Client;
    Condition: typeof TableStore.Condition;
    SingleColumnCondition: typeof TableStore.SingleColumnCondition;
    Long: typeof TableStore.Long;
    RowExistenceExpectation: typeof TableStore.RowExistenceExpectation;
    ComparatorType: typeof TableStore.ComparatorType;
    INF_MIN: typeof TableStore.INF_MIN;
    INF_MAX: typeof TableStore.INF_MAX;
    DefaultRetryPolicy: typeof TableStore.DefaultRetryPolicy;
    PlainBufferBuilder: typeof TableStore.PlainBufferBuilder;
    plainBufferCrc8: typeof TableStore.plainBufferCrc8;
  };
  export = TableStore;
}

declare module 'tablestore/lib/protocol/tablestore_compiled_proto.js' {
  /** A protobufjs static message class, reduced to what the wire fake uses. */
  interface MessageType<T = Record<string, unknown>> {
    decode(reader: Uint8Array): T;
    create(properties: Record<string, unknown>): T;
    encode(message: T): { finish(): Uint8Array };
  }
  const root: {
    main: { proto: Record<string, MessageType> };
    filter: { proto: Record<string, MessageType> };
  };
  export = root;
}

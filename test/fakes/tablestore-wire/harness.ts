import TableStore from 'tablestore';
import {
  type TablestoreConnection,
  type TablestoreJobStoreOptions,
  TablestoreJobStore,
} from '../../../shared/stores/tablestore/tablestore-job-store';
import { TablestoreWireFake, type TablestoreWireFakeOptions } from './server';

export const FAKE_CREDENTIALS = {
  instanceName: 'replicator-test',
  accessKeyId: 'LTAI-test-key',
  accessKeySecret: 'test-secret-must-never-leak',
  securityToken: 'sts-token-must-never-leak',
} as const;

export const TABLE = 'jobs_test';

export interface TablestoreHarness {
  readonly fake: TablestoreWireFake;
  readonly store: TablestoreJobStore;
  /**
   * The real `tablestore` SDK client, signed with the same keys: it plants rows as another writer
   * would, and keeps proving that the fake speaks the service's wire format.
   */
  readonly client: TableStore.Client;
  readonly sleeps: number[];
  close(): Promise<void>;
}

/** The SDK client, without its own retries (process-wide `maxRetries`), as another writer's. */
export const sdkClient = (connection: TablestoreConnection): TableStore.Client =>
  new TableStore.Client({
    endpoint: connection.endpoint,
    instancename: connection.instanceName,
    accessKeyId: connection.credentials.accessKeyId,
    secretAccessKey: connection.credentials.accessKeySecret,
    stsToken: connection.credentials.securityToken,
    maxRetries: 0,
  });

/** A wire fake with the job table created through the adapter, and a store whose backoff never waits. */
export const startTablestoreHarness = async (
  fakeOptions: Partial<TablestoreWireFakeOptions> = {},
  storeOptions: Partial<Pick<TablestoreJobStoreOptions, 'retry' | 'logger'>> = {},
): Promise<TablestoreHarness> => {
  const fake = await TablestoreWireFake.start({ ...FAKE_CREDENTIALS, ...fakeOptions });
  const connection = {
    endpoint: fake.endpoint,
    instanceName: FAKE_CREDENTIALS.instanceName,
    credentials: {
      accessKeyId: FAKE_CREDENTIALS.accessKeyId,
      accessKeySecret: FAKE_CREDENTIALS.accessKeySecret,
      securityToken: FAKE_CREDENTIALS.securityToken,
    },
    tableName: TABLE,
  };
  const sleeps: number[] = [];
  const store = new TablestoreJobStore({
    ...connection,
    ...storeOptions,
    sleep: async (ms) => {
      sleeps.push(ms);
      await Promise.resolve();
    },
  });
  await store.ensureTable();
  fake.clearRequests();
  return { fake, store, client: sdkClient(connection), sleeps, close: () => fake.close() };
};

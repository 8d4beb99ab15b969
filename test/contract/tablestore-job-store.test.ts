import { startTablestoreHarness } from '../fakes/tablestore-wire/harness';
import TableStore from 'tablestore';
import { TABLE, type TablestoreHarness } from '../fakes/tablestore-wire/harness';
import { describeJobStoreContract } from './job-store.contract';

/** Overwrites the job's body as another writer with the same keys could. */
const corrupter = (harness: TablestoreHarness) => async (id: string) => {
  await harness.client.updateRow({
    tableName: TABLE,
    condition: new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_EXIST, null),
    primaryKey: [{ pk: `job:${id}` }],
    updateOfAttributeColumns: [{ PUT: [{ body: '{"not":"a job"' }] }],
  });
};

// The real `tablestore` client, over HTTP, against the wire fake: signatures, protobuf and
// PlainBuffer all take the path they take in production.
describeJobStoreContract('Tablestore over the wire fake', async () => {
  const harness = await startTablestoreHarness({ maxRowsPerPage: 2 });
  return { store: harness.store, corrupt: corrupter(harness), close: () => harness.close() };
});

// The same promises hold if the real service fails a column condition on a missing row (its
// documentation does not say): the marker write then falls back to a create.
describeJobStoreContract('Tablestore, strict conditions on missing rows', async () => {
  const harness = await startTablestoreHarness({ missingRowFailsColumnCondition: true });
  return { store: harness.store, corrupt: corrupter(harness), close: () => harness.close() };
});

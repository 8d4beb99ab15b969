import TableStore from 'tablestore';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOtsFailure } from '../../../shared/stores/tablestore/tablestore-job-store';
import { TABLE, type TablestoreHarness, startTablestoreHarness } from '../../fakes/tablestore-wire/harness';

const sdkErrorFrom = async (call: () => Promise<unknown>): Promise<unknown> => {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call was expected to fail');
};

describe('describeOtsFailure', () => {
  let harness: TablestoreHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('finds the OTS code the SDK buries in the message as protobuf bytes', async () => {
    // Prepare
    harness = await startTablestoreHarness();
    const { client } = harness;
    const create = () =>
      client.putRow({
        tableName: TABLE,
        condition: new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST, null),
        primaryKey: [{ pk: 'job:a' }],
        attributeColumns: [{ body: '{}' }],
      });
    await create();

    // Act
    const error = await sdkErrorFrom(create);
    const failure = describeOtsFailure(error);

    // Assess
    expect((error as { code: unknown }).code).toBe(403);
    expect(failure).toMatchObject({ code: 'OTSConditionCheckFail', retryable: false, httpStatus: 403 });
    expect(failure.requestId).toMatch(/^[\w-]{8,}$/);
  });

  it('reads busy and throttling codes as retryable and others as terminal', async () => {
    // Prepare
    harness = await startTablestoreHarness();
    const { client, fake } = harness;
    const read = () => client.getRow({ tableName: TABLE, primaryKey: [{ pk: 'job:a' }] });
    fake.failNext({ code: 'OTSServerBusy' });
    fake.failNext({ code: 'OTSNotEnoughCapacityUnit' });
    fake.failNext({ code: 'OTSParameterInvalid', status: 400 });

    // Act
    const busy = describeOtsFailure(await sdkErrorFrom(read));
    const capacity = describeOtsFailure(await sdkErrorFrom(read));
    const invalid = describeOtsFailure(await sdkErrorFrom(read));

    // Assess
    expect(busy).toMatchObject({ code: 'OTSServerBusy', retryable: true, httpStatus: 503 });
    expect(capacity).toMatchObject({ code: 'OTSNotEnoughCapacityUnit', retryable: true, httpStatus: 403 });
    expect(invalid).toMatchObject({ code: 'OTSParameterInvalid', retryable: false, httpStatus: 400 });
  });

  it('classifies network failures, bare 5xx answers and unknown errors', () => {
    // Prepare
    const network = Object.assign(new Error('socket hang up'), { code: 'NetworkingError' });
    const bareGateway = Object.assign(new Error('<html>bad gateway</html> requestId:'), { code: 502 });
    const forbidden = Object.assign(new Error(' requestId:'), { code: 'Forbidden' });

    // Act
    const results = [network, bareGateway, forbidden, 'boom'].map(describeOtsFailure);

    // Assess
    expect(results.map((result) => [result.code, result.retryable])).toEqual([
      ['NetworkingError', true],
      ['HTTP502', true],
      ['TablestoreError', false],
      ['TablestoreError', false],
    ]);
  });
});

import { request } from 'node:http';
import TableStore from 'tablestore';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOtsFailure } from '../../../shared/stores/tablestore/tablestore-job-store';
import { sign, stringToSign } from '../../fakes/tablestore-wire/auth';
import { FAKE_CREDENTIALS, TABLE, type TablestoreHarness, startTablestoreHarness } from '../../fakes/tablestore-wire/harness';

const { Condition, RowExistenceExpectation: Existence, INF_MIN, INF_MAX } = TableStore;

/** A hand-made signed request, to tamper with what the SDK would always get right. */
const rawPost = (endpoint: string, path: string, body: Buffer, tamper: (headers: Record<string, string>) => void) =>
  new Promise<number>((resolve, reject) => {
    const headers: Record<string, string> = {
      'x-ots-apiversion': '2015-12-31',
      'x-ots-instancename': FAKE_CREDENTIALS.instanceName,
      'x-ots-accesskeyid': FAKE_CREDENTIALS.accessKeyId,
      'x-ots-ststoken': FAKE_CREDENTIALS.securityToken,
      'x-ots-date': new Date().toISOString(),
      'x-ots-contentmd5': '1B2M2Y8AsgTpgAmY7PhCfg==',
    };
    headers['x-ots-signature'] = sign(FAKE_CREDENTIALS.accessKeySecret, stringToSign(path, 'POST', headers));
    tamper(headers);
    const sent = request(`${endpoint}${path}`, { method: 'POST', headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    sent.on('error', reject);
    sent.end(body);
  });

describe('Tablestore wire fake', () => {
  let harness: TablestoreHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('accepts a correctly signed request and refuses a tampered signature or body digest', async () => {
    // Prepare
    harness = await startTablestoreHarness();
    const { endpoint } = harness.fake;

    // Act
    const genuine = await rawPost(endpoint, '/ListTable', Buffer.alloc(0), () => {});
    const badSignature = await rawPost(endpoint, '/ListTable', Buffer.alloc(0), (h) => {
      h['x-ots-signature'] = sign('guessed-secret', 'anything');
    });
    const badDigest = await rawPost(endpoint, '/ListTable', Buffer.from([0x0a]), () => {});
    const otherInstance = await rawPost(endpoint, '/ListTable', Buffer.alloc(0), (h) => {
      h['x-ots-instancename'] = 'someone-else';
    });

    // Assess
    expect([genuine, badSignature, badDigest, otherInstance]).toEqual([200, 403, 403, 403]);
  });

  it('applies UpdateRow PUT and DELETE_ALL cells', async () => {
    // Prepare
    harness = await startTablestoreHarness();
    const { client } = harness;
    const primaryKey = [{ pk: 'row-1' }];
    await client.putRow({ tableName: TABLE, condition: new Condition(Existence.IGNORE, null), primaryKey, attributeColumns: [{ a: 'one' }, { b: true }] });

    // Act
    await client.updateRow({
      tableName: TABLE,
      condition: new Condition(Existence.EXPECT_EXIST, null),
      primaryKey,
      updateOfAttributeColumns: [{ PUT: [{ c: 2.5 }] }, { DELETE_ALL: ['b'] }],
    });
    const read = (await client.getRow({ tableName: TABLE, primaryKey })) as { row: { attributes: { columnName: string; columnValue: unknown }[] } };

    // Assess
    expect(read.row.attributes.map((cell) => [cell.columnName, cell.columnValue])).toEqual([
      ['a', 'one'],
      ['c', 2.5],
    ]);
  });

  it('pages a range with limit and next_start_primary_key, in key order', async () => {
    // Prepare
    harness = await startTablestoreHarness();
    const { client } = harness;
    for (const key of ['k3', 'k1', 'k2']) {
      await client.putRow({ tableName: TABLE, condition: new Condition(Existence.IGNORE, null), primaryKey: [{ pk: key }], attributeColumns: [{ v: key }] });
    }
    const range = (start: unknown) =>
      client.getRange({
        tableName: TABLE,
        direction: 'FORWARD',
        inclusiveStartPrimaryKey: [{ pk: start as object }],
        exclusiveEndPrimaryKey: [{ pk: INF_MAX }],
        limit: 2,
      }) as Promise<{ rows: { primaryKey: { value: string }[] }[]; nextStartPrimaryKey: { value: string }[] | null }>;

    // Act
    const first = await range(INF_MIN);
    const second = await range(first.nextStartPrimaryKey?.[0]?.value);

    // Assess
    expect(first.rows.map((row) => row.primaryKey[0]?.value)).toEqual(['k1', 'k2']);
    expect(first.nextStartPrimaryKey?.[0]?.value).toBe('k3');
    expect(second.rows.map((row) => row.primaryKey[0]?.value)).toEqual(['k3']);
    expect(second.nextStartPrimaryKey).toBeNull();
  });

  it('answers a missing table with 404 OTSObjectNotExist and a wrong key name with OTSInvalidPK', async () => {
    // Prepare
    harness = await startTablestoreHarness();
    const { client } = harness;

    // Act
    const missing = await client.getRow({ tableName: 'nope', primaryKey: [{ pk: 'a' }] }).catch((e: unknown) => e);
    const wrongKey = await client.getRow({ tableName: TABLE, primaryKey: [{ id: 'a' }] }).catch((e: unknown) => e);

    // Assess
    expect(describeOtsFailure(missing)).toMatchObject({ code: 'OTSObjectNotExist', httpStatus: 404 });
    expect(describeOtsFailure(wrongKey)).toMatchObject({ code: 'OTSInvalidPK', httpStatus: 400 });
  });
});

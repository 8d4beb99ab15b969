import TableStore from 'tablestore';
import protoRoot from 'tablestore/lib/protocol/tablestore_compiled_proto.js';
import { describe, expect, it } from 'vitest';
import { PlainBufferError, crc8, decodeRows, encodeDeleteRow, encodeKey, encodePutRow, encodeUpdateRow } from '../../../shared/stores/tablestore/wire/plain-buffer';
import { ProtoMessage, ProtoWriter } from '../../../shared/stores/tablestore/wire/protobuf';
import { writeRow } from '../../fakes/tablestore-wire/plain-buffer';

const { Long } = TableStore;
/** The builder's update and delete serializers, which the type shim (types/tablestore.d.ts) leaves out. */
const PlainBufferBuilder = TableStore.PlainBufferBuilder as typeof TableStore.PlainBufferBuilder & {
  serializeForUpdateRow(primaryKey: TableStore.PrimaryKeyInput, changes: ReadonlyArray<Record<string, unknown>>): Buffer;
  serializeForDeleteRow(primaryKey: TableStore.PrimaryKeyInput): Buffer;
};
const main = protoRoot.main.proto;

/** The SDK's bytes for the same rows are the reference: the service accepts them. */
describe('the Tablestore wire codec, byte for byte against the SDK', () => {
  it('writes a PutRow row exactly as the SDK does, strings and int64 alike', () => {
    // Act
    const ours = encodePutRow('job:é-1', [
      { name: 'version', value: 42n },
      { name: 'body', value: '{"id":"é-1"}' },
    ]);
    const sdk = PlainBufferBuilder.serializeForPutRow([{ pk: 'job:é-1' }], [{ version: Long.fromNumber(42) }, { body: '{"id":"é-1"}' }]);

    // Assess
    expect(ours.toString('hex')).toBe(Buffer.from(sdk).toString('hex'));
  });

  it('writes a primary key, a PUT-only UpdateRow and a DeleteRow exactly as the SDK does', () => {
    // Act
    const key = encodeKey('inflight:a');
    const update = encodeUpdateRow('job:a', [{ name: 'status', value: 'copying' }]);
    const deletion = encodeDeleteRow('inflight:a');

    // Assess
    expect(key.toString('hex')).toBe(Buffer.from(PlainBufferBuilder.serializePrimaryKey([{ pk: 'inflight:a' }])).toString('hex'));
    expect(update.toString('hex')).toBe(Buffer.from(PlainBufferBuilder.serializeForUpdateRow([{ pk: 'job:a' }], [{ PUT: [{ status: 'copying' }] }])).toString('hex'));
    expect(deletion.toString('hex')).toBe(Buffer.from(PlainBufferBuilder.serializeForDeleteRow([{ pk: 'inflight:a' }])).toString('hex'));
  });

  it('computes the CRC-8 the SDK computes', () => {
    // Prepare
    const bytes = Buffer.from('any bytes at all ✓', 'utf8');

    // Act
    const ours = crc8(0, bytes);

    // Assess
    expect(ours).toBe(TableStore.plainBufferCrc8.crcString(0, bytes));
  });

  it('reads rows the SDK wrote, and refuses one whose checksum is off', () => {
    // Prepare
    const row = writeRow([{ name: 'pk', value: { type: 'string', value: 'job:a' } }], [
      { name: 'version', value: { type: 'integer', value: 7n } },
      { name: 'body', value: { type: 'string', value: '{}' } },
    ]);
    const damaged = Buffer.from(row);
    damaged[damaged.length - 6] = (damaged[damaged.length - 6] ?? 0) ^ 0x01;

    // Act
    const read = decodeRows(row);
    const refused = (): unknown => decodeRows(damaged);

    // Assess
    expect(read).toEqual([{ primaryKey: [{ name: 'pk', value: 'job:a' }], columns: [{ name: 'version', value: 7n }, { name: 'body', value: '{}' }] }]);
    expect(refused).toThrow(PlainBufferError);
  });

  it('writes protobuf the SDK schema reads, and reads what the SDK schema writes', () => {
    // Prepare
    const ours = new ProtoWriter().string(1, 'jobs').uint(2, 1).uint(5, 300).bytes(7, Buffer.from([1, 2])).bytes(8, Buffer.from([3])).finish();
    const sdkAnswer = main.Error!.encode(main.Error!.create({ code: 'OTSConditionCheckFail', message: 'Condition check failed.' })).finish();

    // Act
    const decodedBySdk = main.GetRangeRequest!.decode(ours);
    const decodedByUs = new ProtoMessage(sdkAnswer);

    // Assess
    expect(decodedBySdk).toMatchObject({ tableName: 'jobs', direction: 1, maxVersions: 300 });
    expect([decodedByUs.string(1), decodedByUs.string(2)]).toEqual(['OTSConditionCheckFail', 'Condition check failed.']);
  });
});

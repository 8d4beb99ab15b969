import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimKit, flatValues, items, rawCall, rejection, startSimKit } from './sim-test-kit';

const OWN_ACCOUNT = '1000000000000001';
const accounts = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(2000000000000000 + from + i));

describe('ModifyImageSharePermission and DescribeImageSharePermission', () => {
  let kit: SimKit;
  let ids: Record<string, string>;
  beforeEach(async () => {
    kit = await startSimKit({
      accountId: OWN_ACCOUNT,
      images: [
        { region: 'cn-shanghai', name: 'golden-web', sizeGiB: 20 },
        { region: 'cn-shanghai', name: 'service-key-encrypted', sizeGiB: 20, encrypted: true },
        { region: 'cn-shanghai', name: 'cmk-encrypted', sizeGiB: 20, encrypted: true, kmsKeyId: 'key-cmk-1' },
        { region: 'cn-shanghai', name: 'old-web', sizeGiB: 20, status: 'Deprecated' },
        { region: 'cn-shanghai', name: 'still-copying', sizeGiB: 20, status: 'Creating' },
      ],
    });
    ids = Object.fromEntries(kit.sim.inspect.images('cn-shanghai').map((i) => [i.name, i.id]));
  });
  afterEach(() => kit.close());

  const share = (name: string, add: readonly string[], remove: readonly string[] = []) =>
    rawCall(kit.sim, 'ModifyImageSharePermission', {
      RegionId: 'cn-shanghai',
      ImageId: ids[name]!,
      ...flatValues('AddAccount', add),
      ...flatValues('RemoveAccount', remove),
    });

  it('shares with accounts and lists them with their share times; the image shows as self-shared', async () => {
    // Prepare
    await share('golden-web', accounts(1, 2));
    kit.clock.advanceSeconds(60);

    // Act
    await share('golden-web', accounts(3, 1), accounts(1, 1));
    const listed = await rawCall(kit.sim, 'DescribeImageSharePermission', { RegionId: 'cn-shanghai', ImageId: ids['golden-web']! });
    const image = items(await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', ImageId: ids['golden-web']! }), 'Images', 'Image')[0];

    // Assess
    expect(listed).toMatchObject({ ImageId: ids['golden-web'], RegionId: 'cn-shanghai', TotalCount: 2, PageNumber: 1, PageSize: 10 });
    expect(items(listed, 'Accounts', 'Account')).toEqual([
      { AliyunId: accounts(2, 1)[0], SharedTime: '2026-11-20T08:00:00Z' },
      { AliyunId: accounts(3, 1)[0], SharedTime: '2026-11-20T08:01:00Z' },
    ]);
    expect(image?.IsSelfShared).toBe('True');
    expect(kit.sim.inspect.sharedImages('cn-shanghai')).toEqual([{ imageId: ids['golden-web'], region: 'cn-shanghai', accounts: [...accounts(2, 2)] }]);
  });

  it('processes only the first 10 accounts of one call and silently ignores the 11th', async () => {
    // Prepare
    const eleven = accounts(1, 11);

    // Act
    const body = await share('golden-web', eleven);

    // Assess
    expect(body.RequestId).toEqual(expect.any(String));
    expect(kit.sim.inspect.shares(ids['golden-web']!).map((s) => s.accountId)).toEqual(eleven.slice(0, 10));
  });

  it('refuses the 51st account of an image with QuotaExceed.ShareImageUser and keeps the 50', async () => {
    // Prepare
    for (let batch = 0; batch < 5; batch += 1) await share('golden-web', accounts(batch * 10 + 1, 10));

    // Act
    const error = await rejection(share('golden-web', accounts(51, 1)));
    const again = await share('golden-web', accounts(1, 1));

    // Assess
    expect(error).toMatchObject({ statusCode: 403, code: 'QuotaExceed.ShareImageUser' });
    expect(kit.sim.inspect.shares(ids['golden-web']!)).toHaveLength(50);
    expect(again.RequestId).toEqual(expect.any(String));
  });

  it('lets a replacement in the same call stay within 50 accounts', async () => {
    // Prepare
    for (let batch = 0; batch < 5; batch += 1) await share('golden-web', accounts(batch * 10 + 1, 10));

    // Act
    await share('golden-web', accounts(51, 1), accounts(1, 1));

    // Assess
    const shared = kit.sim.inspect.shares(ids['golden-web']!).map((s) => s.accountId);
    expect(shared).toHaveLength(50);
    expect(shared).toContain(accounts(51, 1)[0]);
    expect(shared).not.toContain(accounts(1, 1)[0]);
  });

  it('shares a CMK-encrypted image but not one encrypted with a service key', async () => {
    // Prepare
    // Act
    await share('cmk-encrypted', accounts(1, 1));
    const error = await rejection(share('service-key-encrypted', accounts(1, 1)));

    // Assess
    expect(kit.sim.inspect.shares(ids['cmk-encrypted']!)).toHaveLength(1);
    expect(error).toMatchObject({ statusCode: 403, code: 'OperationDeined.EncryptedSnapshot' });
  });

  it.each([
    ['its own account', 'golden-web', [OWN_ACCOUNT], 403, 'InvalidAccount.Forbbiden'],
    ['a malformed account', 'golden-web', ['not-an-account'], 404, 'InvalidAccount.NotFound'],
    ['a Deprecated image', 'old-web', accounts(1, 1), 403, 'OperationDenied'],
    ['an image that is not Available', 'still-copying', accounts(1, 1), 403, 'IncorrectImageStatus'],
  ])('refuses to share with %s', async (_, name, add, status, code) => {
    // Prepare
    // Act
    const error = await rejection(share(name, add));

    // Assess
    expect(error).toMatchObject({ statusCode: status, code });
    expect(kit.sim.inspect.shares(ids[name]!)).toEqual([]);
  });

  it('refuses accounts the seed does not list when it lists them, and an unknown image', async () => {
    // Prepare
    await kit.close();
    kit = await startSimKit({ otherAccounts: ['1000000000000002'], images: [{ region: 'cn-shanghai', name: 'golden-web', sizeGiB: 20 }] });
    ids = Object.fromEntries(kit.sim.inspect.images('cn-shanghai').map((i) => [i.name, i.id]));

    // Act
    await share('golden-web', ['1000000000000002']);
    const stranger = await rejection(share('golden-web', ['1000000000000003']));
    const missing = await rejection(rawCall(kit.sim, 'DescribeImageSharePermission', { RegionId: 'cn-shanghai', ImageId: 'm-nothere000000000001' }));

    // Assess
    expect(stranger).toMatchObject({ statusCode: 404, code: 'InvalidAccount.NotFound' });
    expect(missing).toMatchObject({ statusCode: 404, code: 'InvalidImageId.NotFound' });
  });
});

import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIAL_CHAIN, explicitCredentials } from '../../../shared/providers/alibaba-ecs/credentials';
import { ECS_ACTIONS_USED, ECS_PAGE_SIZE, ESS_ACTIONS_USED, creationFilterTime } from '../../../shared/providers/alibaba-ecs/image-cloud';
import { ImageState } from '../../../shared/core/domain/image';
import { STS_CREDENTIALS, type SimKit, TEST_CREDENTIALS, startSimKit } from '../../sim/sim-test-kit';

const ALL_STATES = [ImageState.Pending, ImageState.Available, ImageState.Failed, ImageState.Unavailable];

describe('AlibabaEcsImageCloud over the wire', () => {
  let kit: SimKit;
  beforeEach(async () => {
    kit = await startSimKit({
      images: [
        { region: 'cn-hangzhou', name: 'golden-web-2026-11', sizeGiB: 20, tags: { role: 'golden', tier: 'web' }, createdAt: '2026-11-19T10:00:00Z' },
        { region: 'cn-hangzhou', name: 'golden-db-2026-11', sizeGiB: 100, tags: { role: 'golden', tier: 'db' }, createdAt: '2026-11-20T07:59:30Z' },
        { region: 'cn-hangzhou', name: 'retired', sizeGiB: 20, status: 'Deprecated' },
        { region: 'cn-hangzhou', name: 'broken', sizeGiB: 20, status: 'CreateFailed' },
        { region: 'cn-hangzhou', name: 'public-os', sizeGiB: 40, ownerAlias: 'system' },
      ],
    });
  });
  afterEach(() => kit.close());

  it.each(['x@attacker.example:8080/', 'cn-hangzhou.attacker.example', 'CN-HANGZHOU', ''])(
    'refuses to call anything for the region %j, which is not a region id',
    async (region) => {
      // Prepare
      const cloud = kit.cloud();
      const before = kit.sim.requests.recent('DescribeImages').length;
      // Act
      const call = cloud.listImages(region, { states: ALL_STATES });
      // Assess
      await expect(call).rejects.toMatchObject({ code: 'InvalidRegion', retryable: false });
      expect(kit.sim.requests.recent('DescribeImages').length).toBe(before);
    },
  );

  it('asks DescribeImages for explicit statuses, self-owned, tags and a minute-precision creation filter, 100 a page', async () => {
    // Prepare
    const cloud = kit.cloud();

    // Act
    const images = await cloud.listImages('cn-hangzhou', {
      states: [ImageState.Pending, ImageState.Available],
      ownedBySelf: true,
      tags: { role: 'golden' },
      createdSince: new Date('2026-11-20T07:59:45.123Z'),
    });

    // Assess
    expect(images.map((i) => i.name)).toEqual(['golden-db-2026-11']);
    expect(kit.sim.requests.recent('DescribeImages')[0]?.params).toEqual({
      RegionId: 'cn-hangzhou',
      Status: 'Creating,Waiting,Available',
      ImageOwnerAlias: 'self',
      'Tag.1.Key': 'role',
      'Tag.1.Value': 'golden',
      'Filter.1.Key': 'CreationStartTime',
      'Filter.1.Value': '2026-11-20T07:59Z',
      PageSize: '100',
      PageNumber: '1',
    });
  });

  it('maps Alibaba statuses, tags, size and creation time to the neutral image', async () => {
    // Prepare
    const cloud = kit.cloud();

    // Act
    const images = await cloud.listImages('cn-hangzhou', { states: ALL_STATES, ownedBySelf: true });

    // Assess
    const byName = Object.fromEntries(images.map((i) => [i.name, i]));
    expect(byName['golden-web-2026-11']).toMatchObject({
      region: 'cn-hangzhou',
      state: ImageState.Available,
      progressPercent: 100,
      sizeGiB: 20,
      tags: { role: 'golden', tier: 'web' },
      createdAt: '2026-11-19T10:00:00.000Z',
      encrypted: false,
    });
    expect(byName.retired?.state).toBe(ImageState.Unavailable);
    expect(byName.broken?.state).toBe(ImageState.Failed);
    expect(byName['public-os']).toBeUndefined();
  });

  it('follows pages until every image is read', async () => {
    // Prepare
    for (let i = 0; i < 230; i += 1) kit.sim.inspect.addImage({ region: 'cn-beijing', name: `bulk-${i}`, sizeGiB: 1 });

    // Act
    const images = await kit.cloud().listImages('cn-beijing', { states: [ImageState.Available] });

    // Assess
    expect(new Set(images.map((i) => i.id)).size).toBe(230);
    expect(kit.sim.requests.recent('DescribeImages').map((r) => r.params.PageNumber)).toEqual(['1', '2', '3']);
    expect(ECS_PAGE_SIZE).toBe(100);
  });

  it('sends CopyImage with the source region, ClientToken, tags, name, description and encryption', async () => {
    // Prepare
    const source = kit.sim.inspect.images('cn-hangzhou').find((i) => i.name === 'golden-web-2026-11')!;

    // Act
    const { imageId } = await kit.cloud().copyImage({
      sourceRegion: 'cn-hangzhou',
      sourceImageId: source.id,
      destinationRegion: 'eu-central-1',
      name: 'golden-web-2026-11',
      description: 'replica of golden-web',
      encrypted: true,
      kmsKeyId: 'key-eu-1',
      tags: { 'image-replicator:managed': 'true', 'image-replicator:job': 'rj-1' },
      idempotencyToken: 'rj-1-r1-a1',
    });

    // Assess
    expect(imageId).toMatch(/^m-[0-9a-z]{20}$/);
    expect(kit.sim.requests.recent('CopyImage')[0]?.params).toEqual({
      RegionId: 'cn-hangzhou',
      ImageId: source.id,
      DestinationRegionId: 'eu-central-1',
      DestinationImageName: 'golden-web-2026-11',
      DestinationDescription: 'replica of golden-web',
      Encrypted: 'true',
      KMSKeyId: 'key-eu-1',
      'Tag.1.Key': 'image-replicator:managed',
      'Tag.1.Value': 'true',
      'Tag.2.Key': 'image-replicator:job',
      'Tag.2.Value': 'rj-1',
      ClientToken: 'rj-1-r1-a1',
    });
    const [copy] = await kit.cloud().listImages('eu-central-1', { imageId, states: ALL_STATES });
    expect(copy).toMatchObject({ state: ImageState.Pending, encrypted: true, tags: { 'image-replicator:job': 'rj-1' } });
  });

  it('turns a signature rejection into a terminal error that names the code but not the secret', async () => {
    // Prepare
    const wrong = explicitCredentials({ accessKeyId: TEST_CREDENTIALS.accessKeyId, accessKeySecret: 'wrong-secret-4242' });

    // Act
    const error = await kit.cloud({ credentials: wrong }).listImages('cn-hangzhou', { states: ALL_STATES }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', retryable: false, details: { httpStatus: 400, requestId: expect.any(String) } });
    expect(String((error as Error).message)).not.toContain('wrong-secret-4242');
    expect(JSON.stringify(error)).not.toContain('wrong-secret-4242');
  });

  it('signs with an STS credential set (FC context credentials)', async () => {
    // Prepare
    const cloud = kit.cloud({ credentials: explicitCredentials(STS_CREDENTIALS) });

    // Act
    const images = await cloud.listImages('cn-hangzhou', { states: [ImageState.Available], ownedBySelf: true });

    // Assess
    expect(images).toHaveLength(2);
  });

  it('uses the default credential chain from ALIBABA_CLOUD_* environment variables', async () => {
    // Prepare
    const saved = { ...process.env };
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = STS_CREDENTIALS.accessKeyId;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = STS_CREDENTIALS.accessKeySecret;
    process.env.ALIBABA_CLOUD_SECURITY_TOKEN = STS_CREDENTIALS.securityToken;

    // Act
    const images = await kit
      .cloud({ credentials: DEFAULT_CREDENTIAL_CHAIN })
      .listImages('cn-hangzhou', { states: [ImageState.Available], ownedBySelf: true })
      .finally(() => {
        process.env = saved;
      });

    // Assess
    expect(images).toHaveLength(2);
  });

  it('answers an empty state list without calling the API', async () => {
    // Prepare
    // Act
    const images = await kit.cloud().listImages('cn-hangzhou', { states: [] });

    // Assess
    expect(images).toEqual([]);
    expect(kit.sim.requests.count('DescribeImages')).toBe(0);
  });
});

describe('ECS_ACTIONS_USED', () => {
  it('lists exactly the actions the adapter invokes, each as a literal call', () => {
    // Prepare
    const source = ['image-cloud.ts', 'ecs-extras.ts', 'image-users.ts'].map((file) => readFileSync(`shared/providers/alibaba-ecs/${file}`, 'utf8')).join('\n');

    // Act
    const invoked = [...source.matchAll(/(?:this\.invoke|ecs\.call)\('([A-Za-z]+)'/g)].map((m) => m[1]);

    // Assess
    expect(new Set(invoked)).toEqual(new Set([...ECS_ACTIONS_USED, ...ESS_ACTIONS_USED]));
  });
});

describe('creationFilterTime', () => {
  it('rounds down to the minute in the yyyy-MM-ddTHH:mmZ form', () => {
    // Prepare
    const at = new Date('2026-11-20T07:59:59.999Z');

    // Act
    const text = creationFilterTime(at);

    // Assess
    expect(text).toBe('2026-11-20T07:59Z');
  });
});

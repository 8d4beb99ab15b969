import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STS_CREDENTIALS, type SimKit, TEST_CREDENTIALS, rawCall, rejection, startSimKit } from './sim-test-kit';

describe('ECS simulator wire protocol (raw openapi-core client)', () => {
  let kit: SimKit;
  beforeEach(async () => {
    kit = await startSimKit({ images: [{ region: 'cn-hangzhou', name: 'golden-web-2026-11', sizeGiB: 20, tags: { role: 'golden' } }] });
  });
  afterEach(() => kit.close());

  it('accepts an ACS3-HMAC-SHA256 request and answers PascalCase JSON with a RequestId', async () => {
    // Prepare
    // Act
    const body = await rawCall(kit.sim, 'DescribeRegions', { RegionId: 'cn-hangzhou' });

    // Assess
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(body.Regions).toMatchObject({ Region: expect.arrayContaining([{ RegionId: 'cn-shanghai', LocalName: 'cn-shanghai', RegionEndpoint: 'ecs.cn-shanghai.aliyuncs.com', Status: 'available' }]) });
  });

  it('rejects a request signed with the wrong secret with SignatureDoesNotMatch', async () => {
    // Prepare
    const wrong = { ...TEST_CREDENTIALS, accessKeySecret: 'not-the-secret' };

    // Act
    const error = await rejection(rawCall(kit.sim, 'DescribeRegions', { RegionId: 'cn-hangzhou' }, wrong));

    // Assess
    expect(error).toMatchObject({ name: 'ClientError', code: 'SignatureDoesNotMatch', statusCode: 400 });
  });

  it('rejects an unknown AccessKeyId with InvalidAccessKeyId.NotFound (404)', async () => {
    // Prepare
    const unknown = { accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' };

    // Act
    const error = await rejection(rawCall(kit.sim, 'DescribeRegions', { RegionId: 'cn-hangzhou' }, unknown));

    // Assess
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
  });

  it('accepts an STS credential set only with its own security token', async () => {
    // Prepare
    const wrongToken = { ...STS_CREDENTIALS, securityToken: 'some-other-token' };
    const noToken = { accessKeyId: STS_CREDENTIALS.accessKeyId, accessKeySecret: STS_CREDENTIALS.accessKeySecret };

    // Act
    const ok = await rawCall(kit.sim, 'DescribeRegions', { RegionId: 'cn-hangzhou' }, STS_CREDENTIALS);
    const mismatch = await rejection(rawCall(kit.sim, 'DescribeRegions', { RegionId: 'cn-hangzhou' }, wrongToken));
    const missing = await rejection(rawCall(kit.sim, 'DescribeRegions', { RegionId: 'cn-hangzhou' }, noToken));

    // Assess
    expect(ok.RequestId).toEqual(expect.any(String));
    expect(mismatch).toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey', statusCode: 400 });
    expect(missing).toMatchObject({ code: 'MissingSecurityToken', statusCode: 400 });
  });

  it('accepts the legacy v2 (HMAC-SHA1, Action in the query) form', async () => {
    // Prepare
    // Act
    const body = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou' }, TEST_CREDENTIALS, { signatureAlgorithm: 'v2' });

    // Assess
    expect(body.TotalCount).toBe(1);
    expect(kit.sim.requests.recent('DescribeImages')[0]?.params).toEqual({ RegionId: 'cn-hangzhou' });
  });

  it('answers an unknown action with InvalidAction.NotFound', async () => {
    // Prepare
    // Act
    const error = await rejection(rawCall(kit.sim, 'RunInstances', { RegionId: 'cn-hangzhou' }));

    // Assess
    expect(error).toMatchObject({ code: 'InvalidAction.NotFound', statusCode: 404 });
  });

  it('flattens tag lists as Tag.N.Key on the wire and reads them back as tags', async () => {
    // Prepare
    const [source] = kit.sim.inspect.images('cn-hangzhou');

    // Act
    await rawCall(kit.sim, 'CopyImage', {
      RegionId: 'cn-hangzhou',
      ImageId: source!.id,
      DestinationRegionId: 'cn-shanghai',
      DestinationImageName: 'golden-web-copy',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'platform ops',
    });

    // Assess
    const [copy] = kit.sim.inspect.images('cn-shanghai');
    expect(copy?.tags).toEqual([['team', 'platform ops']]);
  });
});

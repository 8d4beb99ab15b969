import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageState } from '../../../shared/core/domain/image';
import type { CopyImageCommand } from '../../../shared/providers/alibaba-ecs/ecs-images';
import { type SimKit, startSimKit } from '../../sim/sim-test-kit';

describe('AlibabaEcsImageCloud against injected faults', () => {
  let kit: SimKit;
  let sourceId: string;
  beforeEach(async () => {
    kit = await startSimKit({ images: [{ region: 'cn-hangzhou', name: 'golden', sizeGiB: 20 }] });
    sourceId = kit.sim.inspect.images('cn-hangzhou')[0]!.id;
  });
  afterEach(() => kit.close());

  const command = (): CopyImageCommand => ({
    sourceRegion: 'cn-hangzhou',
    sourceImageId: sourceId,
    destinationRegion: 'cn-shanghai',
    name: 'golden-copy',
    tags: {},
    idempotencyToken: 'rj-abc-r1-a1',
  });

  it('retries throttling and succeeds, each attempt reaching the API', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopyImage', 'throttle', 2);

    // Act
    const { imageId } = await kit.cloud().copyImage(command());

    // Assess
    expect(kit.sim.requests.count('CopyImage')).toBe(3);
    expect(kit.sim.requests.recent('CopyImage').map((r) => [r.status, r.retryAttempt])).toEqual([[400, 0], [400, 1], [200, 2]]);
    expect(kit.sim.faults.counts().throttle).toBe(2);
    expect(kit.sim.inspect.image(imageId)?.region).toBe('cn-shanghai');
  });

  it('retries InternalError and ServiceUnavailable', async () => {
    // Prepare
    kit.sim.faults.injectNext('DescribeImages', 'internalError');
    kit.sim.faults.injectNext('DescribeImages', 'serviceUnavailable');

    // Act
    const images = await kit.cloud().listImages('cn-hangzhou', { states: [ImageState.Available] });

    // Assess
    expect(images.map((i) => i.id)).toEqual([sourceId]);
    expect(kit.sim.requests.recent('DescribeImages').map((r) => r.status)).toEqual([500, 503, 200]);
  });

  it('gives up after the attempt limit with a retryable error carrying the API code', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopyImage', 'throttle', 5);

    // Act
    const error = await kit.cloud().copyImage(command()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'Throttling.User', retryable: true, details: { httpStatus: 400, action: 'CopyImage', region: 'cn-hangzhou' } });
    expect(kit.sim.requests.count('CopyImage')).toBe(3);
  });

  it('waits the x-acs-retry-after the API sends on throttling', async () => {
    // Prepare
    kit.sim.faults.configure({ throttleRetryAfterMs: 40 });
    kit.sim.faults.injectNext('CopyImage', 'throttle');

    // Act
    await kit.cloud({ retry: { backoffPeriod: 1, maxDelayMs: 1000 } }).copyImage(command());

    // Assess
    expect(kit.sim.requests.recent('CopyImage').map((r) => [r.retryAttempt, r.retryDelayMs])).toEqual([[0, 0], [1, 40]]);
  });

  it('surfaces a lost answer as retryable while the copy exists, and the same token then returns the same id', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopyImage', 'lostAnswer');
    const cloud = kit.cloud();

    // Act
    const lost = await cloud.copyImage(command()).catch((e: unknown) => e);
    const retried = await cloud.copyImage(command());

    // Assess
    expect(lost).toMatchObject({ code: 'NetworkError', retryable: true });
    expect(kit.sim.inspect.copiesOf(sourceId, 'cn-shanghai')).toBe(1);
    expect(kit.sim.inspect.images('cn-shanghai').map((i) => i.id)).toEqual([retried.imageId]);
    expect(kit.sim.faults.counts().lostAnswer).toBe(1);
  });

  it('surfaces an answer that never comes as a retryable timeout', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopyImage', 'noAnswer');

    // Act
    const error = await kit.cloud({ readTimeoutMs: 200 }).copyImage(command()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'Timeout', retryable: true });
    expect(kit.sim.inspect.copiesOf(sourceId, 'cn-shanghai')).toBe(1);
  });

  it('draws faults from per-action rates and counts every one by kind', async () => {
    // Prepare
    kit.sim.faults.setActionRates('DescribeImages', { serviceUnavailable: 1, latencyMs: 1 });

    // Act
    const error = await kit.cloud().listImages('cn-hangzhou', { states: [ImageState.Available] }).catch((e: unknown) => e);
    await kit.cloud().copyImage(command());

    // Assess
    expect(error).toMatchObject({ code: 'ServiceUnavailable', retryable: true, details: { httpStatus: 503 } });
    expect(kit.sim.faults.counts()).toMatchObject({ serviceUnavailable: 3, latency: 3, throttle: 0 });
  });
});

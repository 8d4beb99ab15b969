import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultKind } from '../../../sim/faults';
import { AlibabaEcsCopyProvider } from '../../../shared/providers/alibaba-ecs/copy-provider';
import { createEcsExtras } from '../../../shared/providers/alibaba-ecs/ecs-extras';
import { TerminalError } from '../../../shared/core/domain/errors';
import { essHost } from '../../../shared/providers/alibaba-ecs/image-cloud';
import { alibabaImageUse } from '../../../shared/providers/alibaba-ecs/image-users';
import { parsePolicyConfig } from '../../../shared/core/config/load-policy-config';
import { createProviders } from '../../../shared/platform/providers';
import { explicitCredentials } from '../../../shared/providers/alibaba-ecs/credentials';
import { type SimKit, TEST_CREDENTIALS, rawCall, rejection, startSimKit } from '../../sim/sim-test-kit';

const REGION = 'cn-shanghai';

describe('Alibaba provider: whether anything runs or would launch from an image', () => {
  let kit: SimKit;
  let provider: AlibabaEcsCopyProvider;
  let imageId: string;
  let otherId: string;
  beforeEach(async () => {
    kit = await startSimKit({
      images: [
        { region: REGION, name: 'copy-web', sizeGiB: 20 },
        { region: REGION, name: 'copy-db', sizeGiB: 20 },
      ],
    });
    const cloud = kit.cloud();
    provider = new AlibabaEcsCopyProvider({ account: 'test', images: cloud, extras: createEcsExtras(cloud) });
    const byName = (name: string) => kit.sim.inspect.images(REGION).find((image) => image.name === name)?.id ?? '';
    imageId = byName('copy-web');
    otherId = byName('copy-db');
  });
  afterEach(() => kit.close());

  const use = () => provider.imageInUse({ region: REGION, imageId });

  it('is unused when no instance, launch template or scaling configuration names it, after asking all three', async () => {
    // Prepare: others name another image
    kit.sim.inspect.addInstance({ region: REGION, imageId: otherId });
    kit.sim.inspect.addLaunchTemplate({ region: REGION, versions: [otherId] });
    kit.sim.inspect.addScalingConfiguration({ region: REGION, imageId: otherId });

    // Act
    const answer = await use();

    // Assess
    expect(answer).toEqual({ state: 'unused' });
    expect(['DescribeInstances', 'DescribeLaunchTemplates', 'DescribeLaunchTemplateVersions', 'DescribeScalingConfigurations'].map((action) => kit.sim.requests.count(action))).toEqual([1, 1, 1, 1]);
  });

  it('is used by the instances running from it, and asks nothing further', async () => {
    // Prepare
    kit.sim.inspect.addInstance({ region: REGION, imageId });
    kit.sim.inspect.addInstance({ region: REGION, imageId, status: 'Stopped' });

    // Act
    const answer = await use();

    // Assess
    expect(answer).toEqual({ state: 'used', by: '2 instances' });
    expect(kit.sim.requests.count('DescribeLaunchTemplates') + kit.sim.requests.count('DescribeScalingConfigurations')).toBe(0);
  });

  it('is used by a launch template with any version naming it, read with the template and its details', async () => {
    // Prepare: version 2 of 3 names the image
    const template = kit.sim.inspect.addLaunchTemplate({ region: REGION, name: 'web', versions: [otherId, imageId, undefined] });

    // Act
    const answer = await use();
    kit.sim.inspect.removeLaunchTemplate(template.id);
    const after = await use();

    // Assess
    expect(answer).toEqual({ state: 'used', by: `launch template "${template.id}" (version 2)` });
    expect(after).toEqual({ state: 'unused' });
    expect(kit.sim.requests.recent('DescribeLaunchTemplateVersions')[0]?.params).toMatchObject({ RegionId: REGION, LaunchTemplateId: template.id, DetailFlag: 'true', PageSize: '50' });
  });

  it('is used by a scaling configuration naming it, inactive ones too, with its group named', async () => {
    // Prepare
    const configuration = kit.sim.inspect.addScalingConfiguration({ region: REGION, imageId, groupId: 'asg-web', lifecycle: 'Inactive' });

    // Act
    const answer = await use();

    // Assess
    expect(answer).toEqual({ state: 'used', by: `scaling configuration "${configuration.id}" of group "asg-web"` });
  });

  it('reads every page of scaling configurations, 50 at a time (ESS’s largest page)', async () => {
    // Prepare: the one naming the image is the 61st
    for (let i = 0; i < 60; i += 1) kit.sim.inspect.addScalingConfiguration({ region: REGION, imageId: otherId });
    kit.sim.inspect.addScalingConfiguration({ region: REGION, imageId });

    // Act
    const answer = await use();

    // Assess
    expect(answer).toMatchObject({ state: 'used' });
    expect(kit.sim.requests.recent('DescribeScalingConfigurations').map((request) => [request.params.PageNumber, request.params.PageSize])).toEqual([
      ['1', '50'],
      ['2', '50'],
    ]);
  });

  it('names three users and counts the rest', async () => {
    // Prepare
    for (let i = 0; i < 5; i += 1) kit.sim.inspect.addScalingConfiguration({ region: REGION, imageId, groupId: `asg-${i}` });

    // Act
    const answer = await use();

    // Assess
    expect(answer).toMatchObject({ state: 'used', by: expect.stringMatching(/^scaling configuration "asc-[^"]+" of group "asg-\d", .*, .* and 2 more$/) });
  });

  it('is unused in an account that never activated Auto Scaling: it has no configurations', async () => {
    // Prepare
    kit.sim.inspect.setAutoScalingActivated(false);

    // Act
    const answer = await use();

    // Assess
    expect(answer).toEqual({ state: 'unused' });
    expect(kit.sim.requests.recent('DescribeScalingConfigurations').map((request) => request.code)).toEqual(['Forbidden.Unsubscribed']);
  });

  it('fails, never answering "unused", when Auto Scaling cannot be asked', async () => {
    // Prepare: every try is a 500
    kit.sim.faults.injectNext('DescribeScalingConfigurations', FaultKind.InternalError, 10);

    // Act
    const error = await rejection(use());

    // Assess
    expect(error).toMatchObject({ code: 'InternalError', retryable: true });
    expect(String(error.message)).toMatch(/^Auto Scaling DescribeScalingConfigurations in cn-shanghai failed/);
  });
});

describe('Alibaba in-use check: listings that page', () => {
  let kit: SimKit;
  let provider: AlibabaEcsCopyProvider;
  beforeEach(async () => {
    kit = await startSimKit({ images: [{ region: REGION, name: 'copy-web', sizeGiB: 20 }] });
    const cloud = kit.cloud();
    provider = new AlibabaEcsCopyProvider({ account: 'test', images: cloud, extras: createEcsExtras(cloud) });
  });
  afterEach(() => kit.close());

  it('reads every page of launch templates: one on the second page of 50 keeps the copy', async () => {
    // Prepare
    const imageId = kit.sim.inspect.images(REGION)[0]?.id ?? '';
    for (let i = 0; i < 52; i += 1) kit.sim.inspect.addLaunchTemplate({ region: REGION, versions: [undefined] });
    const naming = kit.sim.inspect.addLaunchTemplate({ region: REGION, versions: [imageId] });

    // Act
    const answer = await provider.imageInUse({ region: REGION, imageId });

    // Assess
    expect(answer).toEqual({ state: 'used', by: `launch template "${naming.id}" (version 1)` });
    expect(kit.sim.requests.recent('DescribeLaunchTemplates').map((request) => request.params.PageNumber)).toEqual(['1', '2']);
  });

  it('fails, keeping the copy, when a template’s versions cannot be read', async () => {
    // Prepare
    const imageId = kit.sim.inspect.images(REGION)[0]?.id ?? '';
    kit.sim.inspect.addLaunchTemplate({ region: REGION, versions: [imageId] });
    kit.sim.faults.injectNext('DescribeLaunchTemplateVersions', FaultKind.ServiceUnavailable, 10);

    // Act
    const error = await rejection(provider.imageInUse({ region: REGION, imageId }));

    // Assess
    expect(error).toMatchObject({ retryable: true });
    expect(String(error.message)).toMatch(/^ECS DescribeLaunchTemplateVersions in cn-shanghai/);
  });
});

describe('Alibaba provider: a copy whose deletion landed and whose answer was lost', () => {
  it('still deletes the snapshots a one-step copy held, named in the handle retention stored before DeleteImage', async () => {
    // Prepare: DeleteImage keeps the image's snapshots (the documented ECS)
    const kit = await startSimKit({ images: [{ region: REGION, name: 'copy-web', sizeGiB: 20 }], quirks: { imageSnapshotsOnDelete: 'keep' } });
    const cloud = kit.cloud();
    const provider = new AlibabaEcsCopyProvider({ account: 'test', images: cloud, extras: createEcsExtras(cloud) });
    const image = kit.sim.inspect.images(REGION)[0];
    const held = image?.disks.map((disk) => disk.snapshotId) ?? [];
    const handle = await provider.deletionHandle({ handle: image?.id ?? '', destinationRegion: REGION });
    await rawCall(kit.sim, 'DeleteImage', { RegionId: REGION, ImageId: image?.id ?? '' });

    // Act
    await provider.deleteCopy({ handle, destinationRegion: REGION });
    const left = kit.sim.inspect.snapshots(REGION).map((snapshot) => snapshot.id);
    await kit.close();

    // Assess
    expect(held.length).toBeGreaterThan(0);
    expect(JSON.parse(handle)).toEqual({ v: 1, r: 'img', i: image?.id, s: held });
    expect(left.filter((id) => held.includes(id))).toEqual([]);
  });
});

describe('Alibaba provider: unsharing an image that is gone', () => {
  it('has nobody to take off an image ECS says is gone (an earlier deletion whose answer was lost)', async () => {
    // Prepare
    const kit = await startSimKit({ images: [{ region: REGION, name: 'copy-web', sizeGiB: 20 }] });
    const cloud = kit.cloud();
    const provider = new AlibabaEcsCopyProvider({ account: 'test', images: cloud, extras: createEcsExtras(cloud) });
    const imageId = kit.sim.inspect.images(REGION)[0]?.id ?? '';
    await rawCall(kit.sim, 'DeleteImage', { RegionId: REGION, ImageId: imageId, Force: 'true' });

    // Act
    const outcome = await provider.unshareImage({ region: REGION, imageId }, 'all').then(
      () => 'done',
      (error: unknown) => error,
    );
    const codes = kit.sim.requests.recent('DescribeImageSharePermission').map((request) => request.code);
    await kit.close();

    // Assess
    expect(outcome).toBe('done');
    expect(codes).toEqual(['InvalidImageId.NotFound']);
  });
});

describe('Alibaba in-use check: answers that do not add up', () => {
  const IMAGE = 'm-copy000000000000001';
  const configurationPage = (ids: readonly string[], total: number) => ({
    TotalCount: total,
    ScalingConfigurations: { ScalingConfiguration: ids.map((id) => ({ ScalingConfigurationId: id, ImageId: id === 'asc-naming' ? IMAGE : 'm-other' })) },
  });
  /** ECS answers nothing in use; ESS as the test scripts it, page by page. */
  const caller = (essPages: readonly unknown[]) => {
    const asked: string[] = [];
    return {
      asked,
      call: async (action: string, _region: string, params: Record<string, string>): Promise<unknown> => {
        asked.push(`${action}#${params.PageNumber ?? ''}`);
        await Promise.resolve();
        if (action === 'DescribeInstances') return { TotalCount: 0 };
        if (action === 'DescribeLaunchTemplates') return { TotalCount: 0, LaunchTemplateSets: { LaunchTemplateSet: [] } };
        const page = essPages[Number(params.PageNumber) - 1];
        if (page instanceof Error) throw page;
        return page;
      },
    };
  };
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `asc-${from + i}`);

  it('reads on past a count too low while pages come back full, and finds the configuration on page 2', async () => {
    // Prepare: ESS claims 50, yet page 2 holds the one naming the image
    const ecs = caller([configurationPage(ids(50), 50), configurationPage(['asc-naming'], 50)]);

    // Act
    const answer = await alibabaImageUse(ecs, REGION, IMAGE);

    // Assess
    expect(answer).toMatchObject({ state: 'used' });
    expect(ecs.asked.filter((call) => call.startsWith('DescribeScalingConfigurations'))).toHaveLength(2);
  });

  it('refuses to judge when a short page leaves ESS’s own count unmet', async () => {
    // Prepare: 20 served of 40 claimed (a capped page)
    const ecs = caller([configurationPage(ids(20), 40)]);

    // Act
    const error = await rejection(alibabaImageUse(ecs, REGION, IMAGE));

    // Assess
    expect(error).toMatchObject({ code: 'ListingIncomplete' });
  });

  it('takes "not activated" only as ESS’s first answer: after a page it is a failure, and the copy is kept', async () => {
    // Prepare
    const unsubscribed = new TerminalError('Forbidden.Unsubscribed', 'Do not have permission to access this API.');
    const ecs = caller([configurationPage(['asc-naming', ...ids(49)], 60), unsubscribed]);

    // Act
    const error = await rejection(alibabaImageUse(ecs, REGION, IMAGE));

    // Assess
    expect(error).toMatchObject({ code: 'Forbidden.Unsubscribed' });
  });

  it('names three versions of a template and counts the rest, so a reason stays short', async () => {
    // Prepare
    const versions = Array.from({ length: 12 }, (_, i) => ({ VersionNumber: i + 1, LaunchTemplateData: { ImageId: IMAGE } }));
    const ecs = {
      call: async (action: string): Promise<unknown> => {
        await Promise.resolve();
        if (action === 'DescribeInstances') return { TotalCount: 0 };
        if (action === 'DescribeLaunchTemplates') return { TotalCount: 1, LaunchTemplateSets: { LaunchTemplateSet: [{ LaunchTemplateId: 'lt-web' }] } };
        return { TotalCount: 12, LaunchTemplateVersionSets: { LaunchTemplateVersionSet: versions } };
      },
    };

    // Act
    const answer = await alibabaImageUse(ecs, REGION, IMAGE);

    // Assess
    expect(answer).toEqual({ state: 'used', by: 'launch template "lt-web" (version 1, 2, 3 and 9 more)' });
  });
});

describe('the Auto Scaling endpoint', () => {
  it.each([
    ['cn-hangzhou', 'ess.aliyuncs.com'],
    ['ap-southeast-1', 'ess.aliyuncs.com'],
    ['eu-central-1', 'ess.eu-central-1.aliyuncs.com'],
    ['cn-zhangjiakou', 'ess.cn-zhangjiakou.aliyuncs.com'],
    ['cn-shanghai-finance-1', 'ess.aliyuncs.com'],
  ])('for %s is %s, as the SDKs map it', (region, host) => {
    // Act
    const answer = essHost(region);

    // Assess
    expect(answer).toBe(host);
  });

  it('is its own override when one is set beside the ECS one, through the providers the functions build', async () => {
    // Prepare: ECS at one simulator, Auto Scaling at another
    const ecs = await startSimKit({ images: [{ region: REGION, name: 'copy-web', sizeGiB: 20 }] });
    const ess = await startSimKit();
    const config = parsePolicyConfig(
      `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: ${REGION} }]
`,
      'policy',
    );
    const providers = createProviders({
      env: {},
      config,
      alibabaDefault: explicitCredentials(TEST_CREDENTIALS),
      ecsEndpoint: { endpoint: ecs.sim.endpoint, protocol: 'http' },
      essEndpoint: { endpoint: ess.sim.endpoint, protocol: 'http' },
      wallClock: { now: () => new Date() },
    });

    // Act
    const answer = await providers.get('alibaba', 'default').imageInUse({ region: REGION, imageId: ecs.sim.inspect.images(REGION)[0]?.id ?? '' });
    const asked = [ecs.sim.requests.count('DescribeScalingConfigurations'), ess.sim.requests.count('DescribeScalingConfigurations'), ess.sim.requests.count('DescribeInstances')];
    await ecs.close();
    await ess.close();

    // Assess
    expect(answer).toEqual({ state: 'unused' });
    expect(asked).toEqual([0, 1, 0]);
  });

  it('is the simulator’s too, which answers ESS only under ESS’s version', async () => {
    // Prepare
    const kit = await startSimKit();

    // Act
    const underEcs = await rejection(rawCall(kit.sim, 'DescribeScalingConfigurations', { RegionId: 'cn-hangzhou' }));
    await kit.close();

    // Assess
    expect(underEcs).toMatchObject({ code: 'InvalidAction.NotFound' });
  });
});

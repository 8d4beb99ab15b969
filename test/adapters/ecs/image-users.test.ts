import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultKind } from '../../../sim/faults';
import { AlibabaEcsCopyProvider } from '../../../shared/providers/alibaba-ecs/copy-provider';
import { createEcsExtras } from '../../../shared/providers/alibaba-ecs/ecs-extras';
import { essHost } from '../../../shared/providers/alibaba-ecs/image-cloud';
import { type SimKit, rawCall, rejection, startSimKit } from '../../sim/sim-test-kit';

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

describe('the Auto Scaling endpoint', () => {
  it.each([
    ['cn-hangzhou', 'ess.aliyuncs.com'],
    ['ap-southeast-1', 'ess.aliyuncs.com'],
    ['eu-central-1', 'ess.eu-central-1.aliyuncs.com'],
    ['cn-zhangjiakou', 'ess.cn-zhangjiakou.aliyuncs.com'],
  ])('for %s is %s, as the SDKs map it', (region, host) => {
    // Act
    const answer = essHost(region);

    // Assess
    expect(answer).toBe(host);
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

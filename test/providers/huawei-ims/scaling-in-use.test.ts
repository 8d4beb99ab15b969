import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HuaweiImsCopyProvider } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import { ImsClient } from '../../../shared/providers/huawei-ims/client';
import { DESTINATION, GOLDEN_ID, HW_CREDENTIALS, type ImsKit, SOURCE, rejection, startImsKit } from './ims-test-kit';

const PROJECT = 'a'.repeat(32);
const OTHER_IMAGE = '00000000-0000-4000-8000-000000000000';

/** A fetch answering every call with one status and body, recording the URLs asked. */
const answering =
  (urls: string[], status: number, body: (url: string) => unknown): typeof fetch =>
  async (input) => {
    const url = input instanceof Request ? input.url : input.toString();
    urls.push(url);
    return new Response(JSON.stringify(body(url)), { status });
  };

const config = (id: string, imageRef: string | null, dataDisks: string[] = []) => ({
  scaling_configuration_id: id,
  scaling_group_id: null,
  instance_config: { imageRef, disk: [{ disk_type: 'SYS' }, ...dataDisks.map((image) => ({ disk_type: 'DATA', data_disk_image_id: image }))] },
});

describe('Huawei provider: an image an AS configuration would launch is in use', () => {
  let kit: ImsKit;
  let provider: HuaweiImsCopyProvider;
  beforeEach(async () => {
    kit = await startImsKit();
    provider = kit.provider();
  });
  afterEach(() => kit.close());

  it('says so while a configuration launches it as the system disk, and names the configuration', async () => {
    // Prepare
    const image = { region: SOURCE, imageId: GOLDEN_ID };
    const configId = kit.sim.inspect.addScalingConfig(SOURCE, { imageRef: GOLDEN_ID, groupId: 'group-web' });

    // Act
    const launching = await provider.imageInUse(image);
    kit.sim.inspect.removeScalingConfig(configId);
    const after = await provider.imageInUse(image);

    // Assess
    expect(launching).toEqual({ state: 'used', by: `AS configuration "${configId}"` });
    expect(after).toEqual({ state: 'unused' });
    expect(kit.sim.requests.recent('ListScalingConfigs').map((request) => [request.status, request.params.region])).toEqual([
      [200, SOURCE],
      [200, SOURCE],
    ]);
  });

  it('says so for a configuration whose data disk is made from the image (AS’s own image filter would miss it)', async () => {
    // Prepare
    kit.sim.inspect.addScalingConfig(SOURCE, { imageRef: OTHER_IMAGE, dataDiskImageIds: [GOLDEN_ID] });

    // Act
    const use = await provider.imageInUse({ region: SOURCE, imageId: GOLDEN_ID });

    // Assess
    expect(use).toMatchObject({ state: 'used' });
  });

  it('counts only configurations of the image’s own region', async () => {
    // Prepare
    kit.sim.inspect.addScalingConfig(DESTINATION, { imageRef: GOLDEN_ID });
    kit.sim.inspect.addScalingConfig(SOURCE, { imageRef: OTHER_IMAGE });

    // Act
    const use = await provider.imageInUse({ region: SOURCE, imageId: GOLDEN_ID });

    // Assess
    expect(use).toEqual({ state: 'unused' });
  });

  it('reads every page: a configuration on the third page of 100 is found', async () => {
    // Prepare
    for (let i = 0; i < 230; i += 1) kit.sim.inspect.addScalingConfig(SOURCE, { imageRef: OTHER_IMAGE });
    kit.sim.inspect.addScalingConfig(SOURCE, { imageRef: GOLDEN_ID });

    // Act
    const use = await provider.imageInUse({ region: SOURCE, imageId: GOLDEN_ID });

    // Assess
    expect(use).toMatchObject({ state: 'used' });
    expect(kit.sim.requests.recent('ListScalingConfigs').map((request) => [request.params['query.start_number'], request.params['query.limit']])).toEqual([
      ['0', '100'],
      ['100', '100'],
      ['200', '100'],
    ]);
  });

  it('still answers for an image IMS says is gone (a deletion whose answer was lost): no members, and servers and AS asked', async () => {
    // Prepare
    const image = { region: SOURCE, imageId: GOLDEN_ID };
    kit.sim.inspect.removeImage(GOLDEN_ID);

    // Act
    const gone = await provider.imageInUse(image);
    kit.sim.inspect.launchServer(SOURCE, GOLDEN_ID);
    const stillRunning = await provider.imageInUse(image);

    // Assess
    expect(gone).toEqual({ state: 'unused' });
    expect(stillRunning).toEqual({ state: 'used', by: '1 server' });
    expect(kit.sim.requests.recent('GlanceListImageMembers').map((request) => request.status)).toEqual([404, 404]);
  });

  it('does not ask AS once a server already keeps the image', async () => {
    // Prepare
    kit.sim.inspect.launchServer(SOURCE, GOLDEN_ID);

    // Act
    const use = await provider.imageInUse({ region: SOURCE, imageId: GOLDEN_ID });

    // Assess
    expect(use).toEqual({ state: 'used', by: '1 server' });
    expect(kit.sim.requests.count('ListScalingConfigs')).toBe(0);
  });
});

describe('the AS listing at the wire', () => {
  it('asks AS’s own regional endpoint when no override is set', async () => {
    // Prepare
    const urls: string[] = [];
    const client = new ImsClient({ credentials: HW_CREDENTIALS, fetch: answering(urls, 200, () => ({ total_number: 0, scaling_configurations: [] })) });

    // Act
    await client.scalingConfigs({ region: 'cn-north-4', projectId: PROJECT });

    // Assess
    expect(urls).toEqual([`https://as.cn-north-4.myhuaweicloud.com/autoscaling-api/v1/${PROJECT}/scaling_configuration?start_number=0&limit=100`]);
  });

  it('asks its own override when one is set beside the IMS one', async () => {
    // Prepare
    const urls: string[] = [];
    const client = new ImsClient({
      credentials: HW_CREDENTIALS,
      endpointTemplate: 'https://ims-vpce.{region}.example.internal',
      asEndpointTemplate: 'https://as-vpce.{region}.example.internal',
      fetch: answering(urls, 200, () => ({ total_number: 0, scaling_configurations: [] })),
    });

    // Act
    await client.scalingConfigs({ region: 'cn-north-4', projectId: PROJECT });

    // Assess
    expect(urls[0]).toMatch(/^https:\/\/as-vpce\.cn-north-4\.example\.internal\/autoscaling-api\//);
  });

  it.each([
    ['refused by AS (403 AS.0011)', 403, { error: { code: 'AS.0011', message: 'You do not have the rights to perform the operation.' } }],
    ['refused by the gateway (403)', 403, { error_code: 'APIGW.0302', error_msg: 'The IAM user is forbidden in the currently selected region' }],
    ['a page without the total', 200, { scaling_configurations: [] }],
    ['more than a page of configurations in one answer', 200, { total_number: 101, scaling_configurations: Array.from({ length: 101 }, (_, i) => config(`c-${i}`, null)) }],
  ])('fails, never answering "nothing launches it", when AS answers %s', async (_name, status, body) => {
    // Prepare
    const client = new ImsClient({ credentials: HW_CREDENTIALS, fetch: answering([], status, () => body), retry: { attempts: 1 } });

    // Act
    const error = await rejection(client.scalingConfigs({ region: 'cn-north-4', projectId: PROJECT }));

    // Assess
    expect(error.message).toMatch(/^Auto Scaling ListScalingConfigs in cn-north-4/);
  });

  it('gives up on a listing that never ends, rather than judging half of it', async () => {
    // Prepare: every page full, the total always larger
    const urls: string[] = [];
    const page = Array.from({ length: 100 }, (_, i) => config(`c-${i}`, OTHER_IMAGE));
    const client = new ImsClient({ credentials: HW_CREDENTIALS, maxPages: 3, fetch: answering(urls, 200, () => ({ total_number: 1_000_000, scaling_configurations: page })) });

    // Act
    const error = await rejection(client.scalingConfigs({ region: 'cn-north-4', projectId: PROJECT }));

    // Assess
    expect(error).toMatchObject({ code: 'ListingTooLong' });
    expect(urls).toHaveLength(3);
  });

  it('names a configuration by a quoted id, so a hostile one cannot forge a line', async () => {
    // Prepare
    const kit = await startImsKit();
    const hostile = 'x\nINFO copy deleted';
    const provider = kit.provider({
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : input.toString();
        if (!url.includes('/scaling_configuration')) return fetch(input, init);
        return new Response(JSON.stringify({ total_number: 1, scaling_configurations: [config(hostile, GOLDEN_ID)] }), { status: 200 });
      },
    });

    // Act
    const use = await provider.imageInUse({ region: SOURCE, imageId: GOLDEN_ID });
    await kit.close();

    // Assess
    expect(use).toEqual({ state: 'used', by: 'AS configuration "x?INFO copy deleted"' });
  });
});

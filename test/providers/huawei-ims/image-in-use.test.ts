import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HuaweiImsCopyProvider } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import { ImsClient } from '../../../shared/providers/huawei-ims/client';
import { DESTINATION, GOLDEN_ID, HW_CREDENTIALS, type ImsKit, SOURCE, rejection, startImsKit } from './ims-test-kit';

const PROJECT = 'a'.repeat(32);

describe('Huawei provider: whether an image is in use (ECS servers started from it)', () => {
  let kit: ImsKit;
  let provider: HuaweiImsCopyProvider;
  beforeEach(async () => {
    kit = await startImsKit();
    provider = kit.provider();
  });
  afterEach(() => kit.close());

  it('says no while no server runs from the image, yes once one does, and no again when it is deleted', async () => {
    // Prepare
    const image = { region: SOURCE, imageId: GOLDEN_ID };

    // Act
    const before = await provider.imageInUse(image);
    const server = kit.sim.inspect.launchServer(SOURCE, GOLDEN_ID);
    const running = await provider.imageInUse(image);
    kit.sim.inspect.deleteServer(server);
    const after = await provider.imageInUse(image);

    // Assess
    expect([before, running, after]).toEqual([false, true, false]);
    expect(kit.sim.requests.recent('NovaListServers').map((request) => [request.status, request.params['query.image'], request.params.region])).toEqual([
      [200, GOLDEN_ID, SOURCE],
      [200, GOLDEN_ID, SOURCE],
      [200, GOLDEN_ID, SOURCE],
    ]);
  });

  it('counts only servers of the image in the image’s own region', async () => {
    // Prepare: a server of another image in the region, and one of this image id in another region
    kit.sim.inspect.launchServer(SOURCE, '00000000-0000-4000-8000-000000000000');
    kit.sim.inspect.launchServer(DESTINATION, GOLDEN_ID);

    // Act
    const inUse = await provider.imageInUse({ region: SOURCE, imageId: GOLDEN_ID });

    // Assess
    expect(inUse).toBe(false);
  });

  it('asks nothing for an id that is not an image id, and says why', async () => {
    // Act
    const error = await rejection(provider.imageInUse({ region: SOURCE, imageId: '../../v2/images?x=' }));

    // Assess
    expect(error).toMatchObject({ code: 'HuaweiInvalidId' });
    expect(kit.sim.requests.count('NovaListServers')).toBe(0);
  });
});

describe('the ECS endpoint the client asks', () => {
  const recordingFetch =
    (urls: string[]): typeof fetch =>
    async (input) => {
      urls.push(input instanceof Request ? input.url : input.toString());
      return new Response(JSON.stringify({ servers: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
    };

  it('is ECS’s own regional endpoint when no override is set, beside IMS’s', async () => {
    // Prepare
    const urls: string[] = [];
    const client = new ImsClient({ credentials: HW_CREDENTIALS, fetch: recordingFetch(urls) });

    // Act
    await client.serversUsingImage({ region: 'cn-north-4', projectId: PROJECT }, GOLDEN_ID);

    // Assess
    expect(urls).toEqual([`https://ecs.cn-north-4.myhuaweicloud.com/v2.1/${PROJECT}/servers?image=${GOLDEN_ID}`]);
  });

  it('is the override when one is set: one endpoint for every service, as the simulator is', async () => {
    // Prepare
    const urls: string[] = [];
    const client = new ImsClient({ credentials: HW_CREDENTIALS, endpointTemplate: 'http://127.0.0.1:8124/{region}', fetch: recordingFetch(urls) });

    // Act
    await client.serversUsingImage({ region: 'cn-north-4', projectId: PROJECT }, GOLDEN_ID);

    // Assess
    expect(urls).toEqual([`http://127.0.0.1:8124/cn-north-4/v2.1/${PROJECT}/servers?image=${GOLDEN_ID}`]);
  });

  it('refuses an answer that does not list servers, naming the field', async () => {
    // Prepare
    const client = new ImsClient({
      credentials: HW_CREDENTIALS,
      fetch: async () => new Response(JSON.stringify({ servers: 'many' }), { status: 200 }),
    });

    // Act
    const error = await rejection(client.serversUsingImage({ region: 'cn-north-4', projectId: PROJECT }, GOLDEN_ID));

    // Assess
    expect(error).toMatchObject({ code: 'ImsUnexpectedResponse' });
    expect(error.message).toContain('servers');
  });
});

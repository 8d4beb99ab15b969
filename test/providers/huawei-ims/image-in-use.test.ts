import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HuaweiImsCopyProvider } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import { parsePolicyConfig } from '../../../shared/core/config/load-policy-config';
import { createProviders } from '../../../shared/platform/providers';
import { explicitCredentials } from '../../../shared/providers/alibaba-ecs/credentials';
import { ImsClient } from '../../../shared/providers/huawei-ims/client';
import { signRequest } from '../../../shared/providers/huawei-ims/signer';
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
    expect([before, running, after]).toEqual([{ state: 'unused' }, { state: 'used', by: '1 server' }, { state: 'unused' }]);
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
    expect(inUse).toEqual({ state: 'unused' });
  });

  it('cannot tell for an image shared with other projects (their servers are not ours to list): unknown, so it is kept', async () => {
    // Prepare: somebody shared the image with another project by hand
    await kit.client().addMembers(kit.target(SOURCE), { images: [GOLDEN_ID], projects: ['f'.repeat(32)] });

    // Act
    const inUse = await provider.imageInUse({ region: SOURCE, imageId: GOLDEN_ID });

    // Assess
    expect(inUse).toMatchObject({ state: 'unknown', why: expect.stringContaining('1 project(s) the policy does not name') });
    expect(kit.sim.requests.count('GlanceListImageMembers')).toBe(1);
    expect(kit.sim.requests.count('NovaListServers')).toBe(0);
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

  it('is its own override when one is set beside the IMS one', async () => {
    // Prepare
    const urls: string[] = [];
    const client = new ImsClient({
      credentials: HW_CREDENTIALS,
      endpointTemplate: 'https://ims-vpce.{region}.example.internal',
      ecsEndpointTemplate: 'https://ecs-vpce.{region}.example.internal',
      fetch: recordingFetch(urls),
    });

    // Act
    await client.serversUsingImage({ region: 'cn-north-4', projectId: PROJECT }, GOLDEN_ID);

    // Assess
    expect(urls).toEqual([`https://ecs-vpce.cn-north-4.example.internal/v2.1/${PROJECT}/servers?image=${GOLDEN_ID}`]);
  });

  it('is what the deployment’s settings name, through the providers the functions build', async () => {
    // Prepare
    const urls: string[] = [];
    const config = parsePolicyConfig(
      `
version: 1
huaweiProjects: { cn-north-4: ${PROJECT} }
policies:
  - name: golden
    provider: huawei
    huawei: { agencyName: agency }
    source: { region: cn-north-4, select: { tags: { role: golden } } }
    destinations: [{ region: cn-east-3 }]
`,
      'policy',
    );
    const providers = createProviders({
      env: {},
      config,
      alibabaDefault: explicitCredentials({ accessKeyId: 'LTAI-unused', accessKeySecret: 'unused' }),
      huaweiDefault: HW_CREDENTIALS,
      huaweiEndpointTemplate: 'https://ims-vpce.{region}.example.internal',
      huaweiEcsEndpointTemplate: 'https://ecs-vpce.{region}.example.internal',
      huaweiAsEndpointTemplate: 'https://as-vpce.{region}.example.internal',
      huaweiTuning: {
        fetch: async (input) => {
          const url = input instanceof Request ? input.url : input.toString();
          urls.push(url);
          const body = url.includes('/members') ? '{"members":[]}' : url.includes('/scaling_configuration') ? '{"total_number":0,"scaling_configurations":[]}' : '{"servers":[]}';
          return new Response(body, { status: 200 });
        },
      },
      wallClock: { now: () => new Date() },
    });

    // Act
    const inUse = await providers.get('huawei', 'default').imageInUse({ region: 'cn-north-4', imageId: GOLDEN_ID });

    // Assess
    expect(inUse).toEqual({ state: 'unused' });
    expect(urls).toEqual([
      `https://ims-vpce.cn-north-4.example.internal/v2/images/${GOLDEN_ID}/members`,
      `https://ecs-vpce.cn-north-4.example.internal/v2.1/${PROJECT}/servers?image=${GOLDEN_ID}`,
      `https://as-vpce.cn-north-4.example.internal/autoscaling-api/v1/${PROJECT}/scaling_configuration?start_number=0&limit=100`,
    ]);
  });

  it('signs the request for the ECS host it goes to', async () => {
    // Prepare
    const sent: { url: string; headers: Record<string, string> }[] = [];
    const clock = { now: () => new Date('2026-11-20T08:00:00Z') };
    const client = new ImsClient({
      credentials: HW_CREDENTIALS,
      clock,
      fetch: async (input, init) => {
        sent.push({ url: input instanceof Request ? input.url : input.toString(), headers: init?.headers as Record<string, string> });
        return new Response(JSON.stringify({ servers: [] }), { status: 200 });
      },
    });

    // Act
    await client.serversUsingImage({ region: 'cn-north-4', projectId: PROJECT }, GOLDEN_ID);

    // Assess: the signature the gateway of ecs.cn-north-4 recomputes is the one sent
    const [request] = sent;
    const { Authorization: authorization, ...headers } = request?.headers ?? {};
    const expected = signRequest(
      { method: 'GET', path: `/v2.1/${PROJECT}/servers`, query: { image: GOLDEN_ID }, headers: { ...headers, Host: 'ecs.cn-north-4.myhuaweicloud.com' }, body: undefined },
      { accessKeyId: HW_CREDENTIALS.accessKeyId, secret: HW_CREDENTIALS.accessKeySecret },
    );
    expect(authorization).toBe(expected.authorization);
    expect(expected.signedHeaders).toContain('host');
  });

  it.each([
    ['refused (403)', 403, JSON.stringify({ error_code: 'APIGW.0302', error_msg: 'The IAM user is forbidden in the currently selected region' })],
    ['an API the gateway does not know (404)', 404, JSON.stringify({ error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment' })],
    ['not JSON', 200, '<html>ok</html>'],
    ['JSON without servers', 200, '{}'],
  ])('fails, never answering "not in use", when ECS answers %s', async (_name, status, body) => {
    // Prepare
    const client = new ImsClient({ credentials: HW_CREDENTIALS, fetch: async () => new Response(body, { status }), retry: { attempts: 1 } });

    // Act
    const outcome = await client.serversUsingImage({ region: 'cn-north-4', projectId: PROJECT }, GOLDEN_ID).then(
      (count) => ({ count }),
      (error: unknown) => ({ error }),
    );

    // Assess
    expect(outcome).toMatchObject({ error: expect.any(Error) });
    expect(String((outcome as { error: Error }).error.message)).toMatch(/^ECS NovaListServers in cn-north-4/);
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

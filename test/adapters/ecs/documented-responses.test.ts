import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explicitCredentials } from '../../../shared/providers/alibaba-ecs/credentials';
import { AlibabaEcsImageCloud } from '../../../shared/providers/alibaba-ecs/image-cloud';
import { ImageState } from '../../../shared/core/domain/image';

const fixture = (name: string): string => readFileSync(`test/fixtures/alibaba/${name}`, 'utf8');

/**
 * The adapter reads the answers exactly as Alibaba documents them: a server on 127.0.0.1 replays the
 * documented bodies to the real SDK client, whatever it asked.
 */
describe('the ECS adapter on documented answers', () => {
  let server: Server;
  let cloud: AlibabaEcsImageCloud;
  const answers: Record<string, string> = {
    DescribeImages: fixture('ecs-describeimages-response.alibabaclouddocs-2021.json'),
    CopyImage: fixture('ecs-copyimage-response.alibabacloud-doc-current.json'),
    CancelCopyImage: fixture('ecs-cancelcopyimage-response.alibabaclouddocs-2021.json'),
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const action = String(request.headers['x-acs-action']);
      response.writeHead(200, { 'content-type': 'application/json' }).end(answers[action] ?? '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    cloud = new AlibabaEcsImageCloud({
      credentials: explicitCredentials({ accessKeyId: 'LTAI-doc', accessKeySecret: 'doc-secret' }),
      endpoint: { endpoint: `127.0.0.1:${port}`, protocol: 'http' },
    });
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the documented DescribeImages answer: Images.Image, Progress "100%", Size in GiB, Tags.Tag', async () => {
    // Act
    const [image] = await cloud.listImages('cn-hangzhou', { states: [ImageState.Available] });
    // Assess
    expect(image).toMatchObject({
      id: 'm-bp1g7004ksh0oeuc****',
      name: 'testImageName',
      state: ImageState.Available,
      progressPercent: 100,
      sizeGiB: 60,
      tags: { DTS: 'Oracle' },
      createdAt: '2019-11-15T06:07:05.000Z',
    });
  });

  it('reads the documented CopyImage answer as the id of the new copy', async () => {
    const copy = await cloud.copyImage({
      sourceRegion: 'cn-hangzhou', sourceImageId: 'm-src', destinationRegion: 'cn-shanghai', name: 'golden', tags: {}, idempotencyToken: 't',
    });
    expect(copy).toEqual({ imageId: 'm-bp1h46wfpjsjastd****' });
  });

  it('accepts the documented CancelCopyImage answer', async () => {
    await expect(cloud.cancelCopy('cn-shanghai', 'm-copy')).resolves.toBeUndefined();
  });
});

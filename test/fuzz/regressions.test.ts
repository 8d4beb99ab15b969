import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import { ConfigError, ReplicationError } from '../../shared/core/domain/errors';
import { ALL_IMAGE_STATES } from '../../shared/core/domain/image';
import { decodeStartCopyEvent } from '../../shared/platform/fc/events';
import { type ScriptedEcsServer, startScriptedEcsServer } from './kit/scripted-ecs-server';

/**
 * Regressions: product bugs the fuzz suites found, one minimal reproduction each, kept so they
 * stay fixed.
 */

const policyWith = (policyLines: string): string => `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [ { region: cn-shanghai } ]
${policyLines}
`;

describe('fuzz regressions: policy file validation', () => {
  it('a webhook url that is not a URL is refused with a ConfigError naming the field, not a raw TypeError', () => {
    // Prepare
    const text = policyWith('    webhooks: [ { name: ops, url: "not a url", secretEnv: OPS_SECRET } ]');

    // Act
    const attempt = () => parsePolicyConfig(text, 'policy.yaml');

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/policies\[0\]\.webhooks\[0\]\.url: /);
  });

  it.each(['0s', '99999999999999999999d'])('copyTimeout %s, which the job table refuses to store, is refused at load time', (duration) => {
    // Prepare
    const text = policyWith(`    copyTimeout: "${duration}"`);

    // Act
    const attempt = () => parsePolicyConfig(text, 'policy.yaml');

    // Assess
    expect(attempt).toThrow(/policies\[0\]\.copyTimeout: /);
  });
});

describe('fuzz regressions: FC event decoding', () => {
  it('an event nested 10000 deep decodes as invalid instead of throwing RangeError out of the handler', () => {
    // Prepare
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const event = Buffer.from(`[{"triggerTime":"2026-01-01T00:00:00Z","triggerName":"t"},{"id":"e","source":"s","type":"x","data":${deep}}]`);

    // Act
    const attempt = () => decodeStartCopyEvent(event);

    // Assess
    expect(attempt).not.toThrow();
    expect(attempt().map((input) => input.kind)).toEqual(['sweep', 'invalid']);
  });
});

describe('fuzz regressions: ECS answers through the real SDK client', () => {
  let server: ScriptedEcsServer;
  let cloud: AlibabaEcsImageCloud;

  beforeAll(async () => {
    server = await startScriptedEcsServer();
    cloud = new AlibabaEcsImageCloud({
      credentials: explicitCredentials({ accessKeyId: 'AK-bugs', accessKeySecret: 'bugs-secret-value' }),
      endpoint: { endpoint: server.endpoint, protocol: 'http' },
      readTimeoutMs: 500,
      retry: { maxAttempts: 1 },
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('a DescribeImages image whose CreationTime is not a date is an EcsUnexpectedResponse naming the field, not a RangeError', async () => {
    // Prepare
    const image = { ImageId: 'm-1', ImageName: 'golden', Status: 'Available', Size: 20, CreationTime: 'yesterday' };
    const body = JSON.stringify({ TotalCount: 1, PageNumber: 1, PageSize: 100, Images: { Image: [image] } });
    server.script({ kind: 'answer', status: 200, contentType: 'application/json', body }, { kind: 'answer', status: 200, contentType: 'application/json', body });

    // Act
    const attempt = cloud.listImages('cn-hangzhou', { states: ALL_IMAGE_STATES });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ReplicationError);
    await expect(attempt).rejects.toThrow(/CreationTime/);
  });

  it('an HTTP 400 error body without a Code gets a stable code, not the string "undefined"', async () => {
    // Prepare
    const answer = { kind: 'answer', status: 400, contentType: 'application/json', body: '{}' } as const;
    server.script(answer, answer);

    // Act
    const error: unknown = await cloud
      .copyImage({ sourceRegion: 'cn-hangzhou', sourceImageId: 'm-1', destinationRegion: 'cn-shanghai', name: 'c', tags: {}, idempotencyToken: 't' })
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ReplicationError);
    expect((error as ReplicationError).code).not.toBe('undefined');
    expect((error as ReplicationError).message).not.toMatch(/undefined/);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STARTER_POLICY } from '../../cli/policy/starter';
import { cleanEnv, cli, project, tempDir } from './helpers';

const BAD_POLICY = `version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations:
      - region: cn-shangai
      - region: ap-southeast-1
        name: "copy of {sourceName}"
    webhooks:
      - name: ops
        url: https://100.100.100.200/
        secretEnv: OPS_WEBHOOK_SECRET
`;

const WITH_WEBHOOK = `version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
    webhooks:
      - { name: ops, url: "https://hooks.example.com/x", secretEnv: OPS_WEBHOOK_SECRET }
      - { name: chat, url: "https://hooks.example.com/y", secretEnv: CHAT_WEBHOOK_SECRET }
`;

describe('validate', () => {
  it('reports every problem of a file with its path at once, and exits 2', async () => {
    // Prepare
    const dir = project({ 'bad.yaml': BAD_POLICY });
    // Act
    const result = await cli(['validate', '--config', 'bad.yaml'], { cwd: dir });
    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain('policies[0].webhooks[0].url: webhooks cannot target a shared (CGNAT) address');
    expect(result.err).toContain('policies[0].destinations[0].region: cn-shangai is not a region of Alibaba Cloud; did you mean cn-shanghai?');
    expect(result.err).toContain('policies[0].destinations[1].name: " " is not allowed in an ECS image name');
  });

  it('names the missing webhook secrets, never a value, and exits 2', async () => {
    // Prepare
    const dir = project({ 'hooks.yaml': WITH_WEBHOOK });
    const env = cleanEnv({ OPS_WEBHOOK_SECRET: 'too-short-123' });
    // Act
    const result = await cli(['validate', '--config', 'hooks.yaml'], { cwd: dir, env });
    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain('policies[0].webhooks[0].secretEnv: OPS_WEBHOOK_SECRET is shorter than 16 characters');
    expect(result.err).toContain('policies[0].webhooks[1].secretEnv: CHAT_WEBHOOK_SECRET is not set in the environment');
    expect(result.err + result.out).not.toContain('too-short-123');
  });

  it('passes without the secrets when told to skip them', async () => {
    // Prepare
    const dir = project({ 'hooks.yaml': WITH_WEBHOOK });
    // Act
    const result = await cli(['validate', '--config', 'hooks.yaml', '--skip-secrets'], { cwd: dir });
    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toContain('1 policy, 1 destinations: valid');
  });

  it('checks the regions against the provider online: a region the account is not offered is a problem with its path', async () => {
    // Prepare: the embedded simulator offers Hangzhou, Shanghai, Beijing, Shenzhen, Singapore and Frankfurt.
    const dir = project({ 'far.yaml': 'version: 1\npolicies:\n  - name: far\n    source: { region: cn-hangzhou, select: { tags: { role: golden } } }\n    destinations: [{ region: cn-shanghai }, { region: us-east-1 }]\n' });
    // Act
    const offered = await cli(['validate', '--config', 'policy.yaml', '--online'], { cwd: dir });
    const far = await cli(['validate', '--config', 'far.yaml', '--online'], { cwd: dir });
    // Assess
    expect(offered.code).toBe(0);
    expect(far.code).toBe(2);
    expect(far.err).toContain('policies[0].destinations[1].region: us-east-1 is not offered to this account (ECS DescribeRegions)');
  });

  it('exits 1 when the regions cannot be checked because the endpoint does not answer', async () => {
    // Prepare
    const dir = project();
    const env = cleanEnv({ IMAGE_REPLICATOR_ECS_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-x', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'closed-endpoint-secret' });
    // Act
    const result = await cli(['validate', '--config', 'policy.yaml', '--online'], { cwd: dir, env });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain('Alibaba Cloud regions could not be read');
    expect(result.err).not.toContain('closed-endpoint-secret');
  });
});

describe('init', () => {
  it('writes a starter policy that validates as it is', async () => {
    // Prepare
    const dir = tempDir();
    // Act
    const init = await cli(['init'], { cwd: dir });
    const validate = await cli(['validate', '--config', 'policy.yaml'], { cwd: dir });
    // Assess
    expect(init.code).toBe(0);
    expect(validate.code).toBe(0);
    expect(readFileSync(join(dir, 'policy.yaml'), 'utf8')).toBe(STARTER_POLICY);
  });

  it('refuses to overwrite a file that exists, and leaves it as it was', async () => {
    // Prepare
    const dir = tempDir();
    writeFileSync(join(dir, 'mine.yaml'), 'my own\n');
    // Act
    const result = await cli(['init', 'mine.yaml'], { cwd: dir });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain('exists; not overwritten');
    expect(readFileSync(join(dir, 'mine.yaml'), 'utf8')).toBe('my own\n');
  });
});

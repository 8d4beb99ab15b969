import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../shared/platform/logging/json-logger';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { createNotify } from '../../shared/core/use-cases/notify';
import { createFakeWorld } from '../fuzz/kit/handler-wiring';
import type { FuzzRandom } from '../fuzz/kit/random';
import { runCases } from '../fuzz/kit/run-cases';
import { recordingQueues } from '../fakes/recording-queue';
import { FUZZ_SEEDS } from '../fuzz/kit/seeds';

const CASES = 300;

const configWith = (url: string, allowInsecureLoopback: boolean): string => `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [ { region: cn-shanghai }, { region: cn-beijing } ]
    webhooks:
      - { name: ops, url: ${JSON.stringify(url)}, secretEnv: OPS_WEBHOOK_SECRET, allowInsecureLoopback: ${allowInsecureLoopback} }
`;

const accepts = (url: string, allowInsecureLoopback: boolean): boolean | 'crashed' => {
  try {
    parsePolicyConfig(configWith(url, allowInsecureLoopback), 'policy.yaml');
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'InvalidConfig' ? false : 'crashed';
  }
};

/**
 * The rule, stated independently: never credentials in the URL; this machine (every loopback
 * spelling the generator uses) only with allowInsecureLoopback, over http or https; anything else
 * over https only. The generator's hosts are classified here by hand.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST', '127.1', '0x7f000001', '2130706433', '[::ffff:127.0.0.1]', '[0:0:0:0:0:0:0:1]', '127.0.0.2']);
const shouldAccept = (url: string, allowInsecureLoopback: boolean): boolean => {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.username !== '' || parsed.password !== '') return false;
  const rest = url.replace(/^[a-z]+:\/\/(?:[^@/]*@)?/i, '');
  const host = rest.startsWith('[') ? rest.replace(/^(\[[^\]]*\]).*$/, '$1') : rest.replace(/[:/?#].*$/, '');
  if (LOOPBACK_HOSTS.has(host)) return allowInsecureLoopback && (parsed.protocol === 'http:' || parsed.protocol === 'https:');
  return parsed.protocol === 'https:';
};

describe('webhook URLs: https to public hosts; this machine only with allowInsecureLoopback; never private or metadata addresses', () => {
  it.each([
    'http://127.0.0.1.evil.example/hook',
    'http://localhost@evil.example/hook',
    'http://127.0.0.1:80@evil.example/hook',
    'http://localhost.evil.example/hook',
    'http://evil.example/#@127.0.0.1',
    'http://evil.example/?host=127.0.0.1',
    'http://0.0.0.0:8765/hook',
    'http://[::ffff:192.168.0.1]/hook',
    'ftp://127.0.0.1/hook',
    'file:///etc/passwd',
    'javascript:alert(1)',
  ])('refuses %s even with allowInsecureLoopback', (url) => {
    // Prepare
    // Act
    const accepted = accepts(url, true);

    // Assess
    expect(accepted).toBe(false);
  });

  it.each(['HTTP://127.0.0.1:8765/hook', 'http://[::1]:8765/hook', 'http://localhost:8765/hook', 'http://127.0.0.1/hook'])(
    'accepts the loopback URL %s with allowInsecureLoopback and refuses it without',
    (url) => {
      // Prepare
      // Act
      const withFlag = accepts(url, true);
      const withoutFlag = accepts(url, false);

      // Assess
      expect(withFlag).toBe(true);
      expect(withoutFlag).toBe(false);
    },
  );

  it.each(['https://ops:hunter2-password@hooks.example.com/hook', 'https://token@hooks.example.com/hook', 'http://user:pw@127.0.0.1:8765/hook'])(
    'refuses %s, a URL carrying credentials (fetch refuses it anyway, and its password would reach the logs)',
    (url) => {
      // Prepare
      // Act
      const accepted = accepts(url, true);

      // Assess
      expect(accepted).toBe(false);
    },
  );

  it('never logs the password of a webhook URL with credentials, even one that got past validation', async () => {
    // Prepare: validation refuses such URLs (above); this config is edited after it, as a bug might.
    const valid: PolicyConfig = parsePolicyConfig(configWith('https://hooks.example.com/hook', false), 'policy.yaml');
    const config: PolicyConfig = {
      ...valid,
      policies: valid.policies.map((p) => ({ ...p, webhooks: p.webhooks.map((h) => ({ ...h, url: 'https://ops:hunter2-password@hooks.example.com/hook' })) })),
    };
    const world = await createFakeWorld();
    const lines: string[] = [];
    const notify = createNotify({
      config,
      secrets: resolveWebhookSecrets(config, { OPS_WEBHOOK_SECRET: 'a-webhook-secret-of-some-length' }),
      jobs: world.jobs,
      queues: recordingQueues(),
      transport: guardedWebhookTransport,
      clock: { now: () => new Date('2026-03-01T01:00:00Z') },
      wallClock: { now: () => new Date('2026-03-01T01:00:00Z') },
      logger: createJsonLogger({ sink: (line) => lines.push(line) }),
      pause: async () => undefined,
    });
    const job = world.finishedJob;

    // Act
    await notify({ type: 'notification.requested', version: 1, jobId: job.id, eventId: job.notification.eventId! }).catch(() => undefined);

    // Assess
    expect(lines.join('\n')).toContain('webhook failed');
    expect(lines.join('\n')).not.toContain('hunter2-password');
    expect(JSON.stringify(await world.jobs.get(job.id))).not.toContain('hunter2-password');
  });

  it(`agrees with the rule on generated URLs: scheme case, loopback spellings, look-alike hosts, userinfo (${CASES} cases)`, async () => {
    // Prepare
    const generate = (random: FuzzRandom) => {
      const scheme = random.pick(['http', 'https', 'HTTP', 'Https', 'ftp', 'ws']);
      const host = random.pick([
        '127.0.0.1', 'localhost', '[::1]', 'LOCALHOST', '127.1', '0x7f000001', '2130706433', '127.0.0.1.evil.example',
        'localhost.evil.example', 'evil.example', 'hooks.example.com', '[::ffff:127.0.0.1]', '[0:0:0:0:0:0:0:1]', '127.0.0.2', 'xn--lcalhost-e1a',
      ]);
      const userinfo = random.chance(0.25) ? `${random.pick(['user', 'localhost', '127.0.0.1', 'a:b'])}@` : '';
      const port = random.chance(0.5) ? `:${random.pick([80, 443, 8765, 65535])}` : '';
      const path = random.pick(['', '/', '/hook', '/a?b=c', '/#frag', '/@127.0.0.1']);
      return { url: `${scheme}://${userinfo}${host}${port}${path}`, allow: random.chance(0.7) };
    };

    // Act
    const outcome = await runCases({
      seed: FUZZ_SEEDS.webhookUrls,
      count: CASES,
      generate,
      show: (input) => `${input.url} (allowInsecureLoopback ${input.allow})`,
      check: (input) => {
        const actual = accepts(input.url, input.allow);
        const expected = shouldAccept(input.url, input.allow);
        if (actual === 'crashed') return 'validation threw something other than a ConfigError';
        return actual === expected ? undefined : `${actual ? 'accepted' : 'refused'}, the rule says ${expected ? 'accept' : 'refuse'}${input.url.includes('@') ? ' (userinfo)' : ''}`;
      },
    });

    // Assess
    expect(outcome.report).toBe('');
  });
});

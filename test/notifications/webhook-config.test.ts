import { describe, expect, it } from 'vitest';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { ConfigError } from '../../shared/core/domain/errors';

const DINGTALK_URL = 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123';
const FEISHU_URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const SLACK_URL = 'https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abcdefghijklmnop12345678';

const policyWith = (webhooks: string, top = ''): string => `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
    webhooks:
${webhooks}
${top}`;

const problems = (text: string): string => {
  try {
    parsePolicyConfig(text, 'policy.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the policy to be refused');
};

describe('chat webhooks in the policy', () => {
  it('reads each kind, giving every webhook a url and the variable of its credential', () => {
    // Prepare
    const text = policyWith(`
      - { name: ops, url: https://hooks.example.com/x, secretEnv: OPS_SECRET }
      - { name: ding, kind: dingtalk, url: "${DINGTALK_URL}", secretEnv: DING_SECRET }
      - { name: lark, kind: feishu, url: "${FEISHU_URL}", secretEnv: LARK_SECRET, perJob: false, digest: daily }
      - { name: team, kind: slack, urlEnv: TEAM_SLACK_URL, digest: after-nightly-run }
      - { name: wx, kind: wecom, urlEnv: WX_URL }`);
    // Act
    const hooks = parsePolicyConfig(text, 'policy.yaml').policies[0]?.webhooks ?? [];
    // Assess
    expect(hooks.map((h) => [h.name, h.kind, h.url, h.secretEnv, h.urlEnv, h.perJob, h.digest])).toEqual([
      ['ops', 'generic', 'https://hooks.example.com/x', 'OPS_SECRET', undefined, true, undefined],
      ['ding', 'dingtalk', DINGTALK_URL, 'DING_SECRET', undefined, true, undefined],
      ['lark', 'feishu', FEISHU_URL, 'LARK_SECRET', undefined, false, 'daily'],
      ['team', 'slack', 'https://hooks.slack.com/services/', 'TEAM_SLACK_URL', 'TEAM_SLACK_URL', true, 'after-nightly-run'],
      ['wx', 'wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send', 'WX_URL', 'WX_URL', true, undefined],
    ]);
  });

  it('loads a Slack or WeCom URL from the environment with the signing secrets, as a credential', () => {
    // Prepare
    const config = parsePolicyConfig(policyWith(`      - { name: team, kind: slack, urlEnv: TEAM_SLACK_URL }`), 'policy.yaml');
    // Act
    const secrets = resolveWebhookSecrets(config, { TEAM_SLACK_URL: SLACK_URL });
    const missing = (() => {
      try {
        resolveWebhookSecrets(config, {});
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    // Assess
    expect(secrets.get('golden/team')).toBe(SLACK_URL);
    expect(missing).toContain('golden/team: TEAM_SLACK_URL');
  });

  it.each([
    ['a Slack URL written in the file', `      - { name: t, kind: slack, url: "${SLACK_URL}" }`, /webhooks\[0\]\.url: this URL is a credential .* urlEnv/],
    ['a WeCom webhook without its URL variable', '      - { name: w, kind: wecom }', /webhooks\[0\]\.urlEnv: name the environment variable holding the webhook URL/],
    ['a Slack webhook with a signing secret', '      - { name: t, kind: slack, urlEnv: T_URL, secretEnv: T_SECRET }', /webhooks\[0\]\.secretEnv: WeCom and Slack do not sign/],
    ['a DingTalk robot without its signing secret', `      - { name: d, kind: dingtalk, url: "${DINGTALK_URL}" }`, /webhooks\[0\]\.secretEnv: DingTalk and Feishu robots are signed: name the environment variable/],
    ['a DingTalk URL from the environment', '      - { name: d, kind: dingtalk, urlEnv: D_URL, secretEnv: D_SECRET }', /webhooks\[0\]\.urlEnv: DingTalk and Feishu robots are signed/],
    ['a Feishu URL of another host', '      - { name: f, kind: feishu, url: "https://evil.example.com/open-apis/bot/v2/hook/abcdefgh", secretEnv: F }', /webhooks\[0\]\.url: a feishu webhook URL must look like/],
    ['a webhook that would never say anything', '      - { name: t, kind: wecom, urlEnv: T_URL, perJob: false }', /webhooks\[0\]\.perJob: with perJob: false the webhook needs a digest/],
    ['a digest on the generic webhook', '      - { name: o, url: https://hooks.example.com/x, secretEnv: O, digest: daily }', /webhooks\[0\]\.digest: digests are chat messages/],
    ['an unknown kind', '      - { name: o, kind: teams, url: https://hooks.example.com/x }', /webhooks\[0\]\.kind: .*'generic' \| 'dingtalk' \| 'feishu' \| 'wecom' \| 'slack'/],
    ['an unknown digest schedule', '      - { name: t, kind: wecom, urlEnv: T_URL, digest: weekly }', /webhooks\[0\]\.digest: /],
  ])('refuses %s with a message saying what to do', (_case, webhooks, expected) => {
    // Act
    const message = problems(policyWith(webhooks));
    // Assess
    expect(message).toMatch(expected);
    expect(message).not.toContain(SLACK_URL);
  });

  it('takes a status page address and digest hours, with defaults', () => {
    // Prepare
    const base = policyWith('      - { name: t, kind: wecom, urlEnv: T_URL }');
    // Act
    const defaults = parsePolicyConfig(base, 'policy.yaml');
    const set = parsePolicyConfig(`${base}statusPage: { baseUrl: https://status.example.com/replication }\ndigest: { dailyHourUtc: 23, nightlyRunHourUtc: 17, maxWaitHours: 6 }\n`, 'policy.yaml');
    // Assess
    expect(defaults.statusPage).toBeUndefined();
    expect(defaults.digest).toEqual({ dailyHourUtc: 1, nightlyRunHourUtc: 18, maxWaitHours: 12 });
    expect(set.statusPage?.baseUrl).toBe('https://status.example.com/replication');
    expect(set.digest).toEqual({ dailyHourUtc: 23, nightlyRunHourUtc: 17, maxWaitHours: 6 });
    expect(problems(`${base}statusPage: { baseUrl: "http://status.example.com/?token=x" }\n`)).toMatch(/statusPage\.baseUrl: expected an https URL/);
    expect(problems(`${base}digest: { dailyHourUtc: 24 }\n`)).toMatch(/digest\.dailyHourUtc/);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChatWebhookFields,
  chatWebhookShape,
  chatWebhookUrl,
  chatWebhookUrlProblem,
  type ChatWebhookKind,
  refineChatWebhookUrl,
} from '../../shared/core/notifications/chat-webhook';

const VALID: Record<ChatWebhookKind, string[]> = {
  dingtalk: ['https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
  feishu: [
    'https://open.feishu.cn/open-apis/bot/v2/hook/8d2a5c9e-1b7f-4e0a-9c3d-2f6b8a1e4d70',
    'https://open.larksuite.com/open-apis/bot/v2/hook/8d2a5c9e-1b7f-4e0a-9c3d-2f6b8a1e4d70',
  ],
  wecom: ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'],
  slack: ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
};

const INVALID: Record<ChatWebhookKind, string[]> = {
  dingtalk: [
    'http://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123',
    'https://oapi.dingtalk.com.evil.example/robot/send?access_token=0123456789abcdef0123',
    'https://evil.example/?u=https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123',
    'https://user:pw@oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123',
    'https://oapi.dingtalk.com/robot/../robot/send?access_token=0123456789abcdef0123',
    'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123&timestamp=1&sign=x',
    'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123#frag',
    'https://OAPI.dingtalk.com/robot/send?access_token=0123456789abcdef0123',
    'https://oapi.dingtalk.com:8443/robot/send?access_token=0123456789abcdef0123',
    'https://oapi.dingtalk.com/robot/send?access_token=',
    ' https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123',
  ],
  feishu: [
    'https://open.feishu.cn/open-apis/bot/v2/hook/',
    'https://open.feishu.cn.evil.example/open-apis/bot/v2/hook/8d2a5c9e-1b7f',
    'https://open.feishu.cn/open-apis/bot/v2/hook/8d2a5c9e-1b7f?next=https://evil.example',
    'https://open.larksuite.co/open-apis/bot/v2/hook/8d2a5c9e-1b7f',
    'https://open.feishu.cn/open-apis/bot/v1/hook/8d2a5c9e-1b7f',
  ],
  wecom: [
    'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
    'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx&debug=1',
    'https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=693a91f6-7xxx',
    'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx',
  ],
  slack: [
    'https://hooks.slack.com/workflows/T00000000/A00000000/123/abc',
    'https://hooks.slack.com.evil.example/services/T00000000/B00000000/XXXXXXXXXXXXXXXX',
    'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXX?x=1',
    'https://hooks.slack.com/services/T00000000/B00000000',
  ],
};

describe('chat webhook URLs', () => {
  it.each(Object.entries(VALID).flatMap(([kind, urls]) => urls.map((url) => [kind as ChatWebhookKind, url] as const)))('accepts the %s URL shape %s', (kind, url) => {
    // Prepare
    // Act
    const problem = chatWebhookUrlProblem(kind, url);

    // Assess
    expect(problem).toBeUndefined();
  });

  it.each(Object.entries(INVALID).flatMap(([kind, urls]) => urls.map((url) => [kind as ChatWebhookKind, url] as const)))('refuses for %s the look-alike %s, without quoting it', (kind, url) => {
    // Prepare
    // Act
    const problem = chatWebhookUrlProblem(kind, url);

    // Assess
    expect(problem).toMatch(new RegExp(`^a ${kind} webhook URL must look like`));
    expect(problem).not.toContain('0123456789abcdef');
    expect(problem).not.toContain('693a91f6');
  });

  it('refuses a URL of another platform for a kind', () => {
    // Prepare
    const slackUrl = VALID.slack[0]!;

    // Act
    const problems = (['dingtalk', 'feishu', 'wecom'] as const).map((kind) => chatWebhookUrlProblem(kind, slackUrl));

    // Assess
    expect(problems.every((problem) => problem !== undefined)).toBe(true);
  });

  it('gives the policy schema a { kind, url } fragment whose issue points at url', () => {
    // Prepare
    const schema = z.object({ name: z.string() }).and(ChatWebhookFields);

    // Act
    const good = schema.safeParse({ name: 'ops', kind: 'wecom', url: VALID.wecom[0] });
    const bad = schema.safeParse({ name: 'ops', kind: 'wecom', url: VALID.slack[0] });
    const unknownKind = ChatWebhookFields.safeParse({ kind: 'teams', url: VALID.slack[0] });

    // Assess
    expect(good.success).toBe(true);
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['url']);
    expect(JSON.stringify(bad.error?.issues)).not.toContain('XXXXXXXX');
    expect(unknownKind.success).toBe(false);
  });

  it('lets the policy schema add kind and url to its own Webhook object', () => {
    // Prepare
    const Webhook = z.object({ name: z.string(), secretEnv: z.string().optional(), ...chatWebhookShape }).strict().superRefine(refineChatWebhookUrl);

    // Act
    const good = Webhook.safeParse({ name: 'ops', kind: 'dingtalk', url: VALID.dingtalk[0], secretEnv: 'OPS_DINGTALK_SECRET' });
    const bad = Webhook.safeParse({ name: 'ops', kind: 'dingtalk', url: VALID.feishu[0] });

    // Assess
    expect(good.success).toBe(true);
    expect(bad.error?.issues.map((issue) => issue.path)).toEqual([['url']]);
  });

  it('offers a per-kind URL schema', () => {
    // Prepare
    const schema = chatWebhookUrl('feishu');

    // Act
    const results = [schema.safeParse(VALID.feishu[1]), schema.safeParse(VALID.dingtalk[0])];

    // Assess
    expect(results.map((result) => result.success)).toEqual([true, false]);
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_REASON_BYTES, sanitizeReason } from '../../shared/channels/answer';
import type { ChannelAnswer, DeliveryVerdict } from '../../shared/channels/channel';
import { channelFor } from '../../shared/channels/index';
import { utf8Bytes } from '../../shared/core/notifications/text';
import { KINDS } from './fixtures';

const ok200 = (body: string): ChannelAnswer => ({ status: 200, body });

type Case = readonly [string, ChannelAnswer, DeliveryVerdict['kind'], number?];

const CASES: Record<(typeof KINDS)[number], readonly Case[]> = {
  dingtalk: [
    ['success', ok200('{"errcode":0,"errmsg":"ok"}'), 'delivered'],
    ['wrong signature inside HTTP 200', ok200('{"errcode":310000,"errmsg":"sign not match"}'), 'rejected'],
    ['missing keyword inside HTTP 200', ok200('{"errcode":310000,"errmsg":"keywords not in content"}'), 'rejected'],
    ['IP not allowed inside HTTP 200', ok200('{"errcode":310000,"errmsg":"ip X.X.X.X not in whitelist"}'), 'rejected'],
    ['unknown token inside HTTP 200', ok200('{"errcode":300001,"errmsg":"token is not exist"}'), 'rejected'],
    ['too fast inside HTTP 200: the 10-minute throttle', ok200('{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}'), 'retry', 600],
    ['throttled inside HTTP 200 (newer code)', ok200('{"errcode":410100,"errmsg":"发送速度太快而限流"}'), 'retry', 600],
    ['system busy', ok200('{"errcode":-1,"errmsg":"系统繁忙"}'), 'retry'],
    ['gateway error', { status: 502, body: '<html>Bad Gateway</html>' }, 'retry'],
    ['unreadable 200', ok200('<html>hello</html>'), 'retry'],
    ['bare 404', { status: 404, body: 'not found' }, 'rejected'],
  ],
  feishu: [
    ['success', ok200('{"code":0,"msg":"success","data":{}}'), 'delivered'],
    ['legacy success', ok200('{"Extra":null,"StatusCode":0,"StatusMessage":"success"}'), 'delivered'],
    ['bad signature inside HTTP 200', ok200('{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}'), 'rejected'],
    ['IP not allowed', ok200('{"code":19022,"msg":"Ip Not Allowed"}'), 'rejected'],
    ['keyword missing', ok200('{"code":19024,"msg":"Key Words Not Found"}'), 'rejected'],
    ['bad request', { status: 400, body: '{"code":9499,"msg":"Bad Request","data":{}}' }, 'rejected'],
    ['code wins over a legacy zero', ok200('{"code":19021,"StatusCode":0}'), 'rejected'],
    ['rate limited inside HTTP 200', ok200('{"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]"}'), 'retry', 60],
    ['HTTP 429', { status: 429, body: '{"code":11232}' }, 'retry'],
    ['no code at all', ok200('{}'), 'retry'],
  ],
  wecom: [
    ['success', ok200('{"errcode":0,"errmsg":"ok"}'), 'delivered'],
    ['too frequent inside HTTP 200', ok200('{"errcode":45009,"errmsg":"api freq out of limit"}'), 'retry', 60],
    ['invalid key inside HTTP 200', ok200('{"errcode":93000,"errmsg":"invalid webhook url, hint: [1700000000_1_abc], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=93000"}'), 'rejected'],
    ['content too long', ok200('{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}'), 'rejected'],
    ['system busy', ok200('{"errcode":-1,"errmsg":"system busy"}'), 'retry'],
    ['server error', { status: 503, body: '' }, 'retry'],
  ],
  slack: [
    ['success', ok200('ok'), 'delivered'],
    ['malformed payload', { status: 400, body: 'invalid_payload' }, 'rejected'],
    ['revoked webhook', { status: 403, body: 'invalid_token' }, 'rejected'],
    ['posting restricted', { status: 403, body: 'action_prohibited' }, 'rejected'],
    ['channel gone', { status: 404, body: 'channel_not_found' }, 'rejected'],
    ['disabled webhook', { status: 404, body: 'no_service' }, 'rejected'],
    ['archived channel', { status: 410, body: 'channel_is_archived' }, 'rejected'],
    ['internal error', { status: 500, body: 'rollup_error' }, 'retry'],
    ['rate limited with Retry-After', { status: 429, body: 'rate_limited', headers: { 'Retry-After': '30' } }, 'retry', 30],
    ['unexpected 200 body', ok200('accepted?'), 'retry'],
  ],
};

describe.each(KINDS)('%s answers', (kind) => {
  const channel = channelFor(kind);

  const cases = CASES[kind].map(([name, answer, expected, afterSeconds]) => ({ name, answer, expected, afterSeconds }));

  it.each(cases)('$name', ({ answer, expected, afterSeconds }) => {
    // Prepare
    // Act
    const verdict = channel.interpret(answer);

    // Assess
    expect(verdict.kind).toBe(expected);
    if (afterSeconds !== undefined) expect(verdict).toMatchObject({ afterSeconds });
    if (verdict.kind !== 'delivered') {
      expect(utf8Bytes(verdict.reason)).toBeLessThanOrEqual(MAX_REASON_BYTES);
      expect(verdict.reason).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(verdict.reason.length).toBeGreaterThan(0);
    }
  });

  it('keeps a reason short, one line and free of controls however long and strange the answer', () => {
    // Prepare
    const noise = `\u001b[31m${'镜'.repeat(50_000)}\r\n\u0000`;
    const answers: ChannelAnswer[] = [
      { status: 400, body: noise },
      ok200(JSON.stringify({ errcode: 310000, errmsg: noise, code: 19021, msg: noise })),
      { status: 500, body: noise },
    ];

    // Act
    const verdicts = answers.map((answer) => channel.interpret(answer));

    // Assess
    for (const verdict of verdicts) {
      expect(verdict.kind).not.toBe('delivered');
      if (verdict.kind === 'delivered') continue;
      expect(utf8Bytes(verdict.reason)).toBeLessThanOrEqual(MAX_REASON_BYTES);
      expect(verdict.reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  });
});

describe('reason sanitising', () => {
  it('blanks anything that looks like a credential', () => {
    // Prepare
    const echoed = [
      'bad url https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef&timestamp=1',
      'see https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX for details',
      'key=693a91f6-7aaa-4bc4 rejected',
      'signature 4f1c9a0be7d2c3f8a1b5e6d7c8f9a0b1c2d3e4f5a6b7 refused',
      'hook /open-apis/bot/v2/hook/8d2a5c9e-1b7f-4e0a invalid',
    ];

    // Act
    const reasons = echoed.map(sanitizeReason);

    // Assess
    for (const reason of reasons) expect(reason).not.toMatch(/0123456789abcdef|XXXXXXXXXXXX|693a91f6|4f1c9a0be7d2|8d2a5c9e/);
    expect(reasons[0]).toContain('access_token=[redacted]');
  });
});

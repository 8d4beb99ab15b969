import { describe, expect, it } from 'vitest';
import { dingtalkChannel, dingtalkSign } from '../../shared/channels/dingtalk';
import { feishuChannel, feishuSign } from '../../shared/channels/feishu';
import { summaryOf, URLS } from './fixtures';

/** notifications-notes §6, computed with the platforms' official sample code. */
const DINGTALK_VECTOR = { timestampMs: 1700000000000, secret: 'SECexample0123456789', sign: 'figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D' };
const FEISHU_VECTOR = { timestampSeconds: 1700000000, secret: 'exampleFeishuSecret', sign: 'KAVz6mt2yjyYGOsZirwjG/gjbx7Rak7PYaGaF9vzk8g=' };

describe('DingTalk signature', () => {
  it('matches the documented test vector', () => {
    // Prepare
    // Act
    const sign = dingtalkSign(DINGTALK_VECTOR.secret, DINGTALK_VECTOR.timestampMs);

    // Assess
    expect(sign).toBe(DINGTALK_VECTOR.sign);
  });

  it('puts the millisecond timestamp and the URL-encoded sign in the query, nothing of the secret', () => {
    // Prepare
    const now = new Date(DINGTALK_VECTOR.timestampMs);

    // Act
    const request = dingtalkChannel.render(summaryOf({ outcome: 'available' }), { url: URLS.dingtalk, secret: DINGTALK_VECTOR.secret, now });

    // Assess
    expect(request.url).toBe(`${URLS.dingtalk}&timestamp=1700000000000&sign=${DINGTALK_VECTOR.sign}`);
    expect(`${request.url}${request.body}${JSON.stringify(request.headers)}`).not.toContain(DINGTALK_VECTOR.secret);
  });

  it('sends the plain URL when the robot has no signing secret', () => {
    // Prepare
    const now = new Date(DINGTALK_VECTOR.timestampMs);

    // Act
    const request = dingtalkChannel.render(summaryOf({ outcome: 'available' }), { url: URLS.dingtalk, now });

    // Assess
    expect(request.url).toBe(URLS.dingtalk);
  });
});

describe('Feishu signature', () => {
  it('matches the documented test vector (key = timestamp + newline + secret, empty message)', () => {
    // Prepare
    // Act
    const sign = feishuSign(FEISHU_VECTOR.secret, FEISHU_VECTOR.timestampSeconds);

    // Assess
    expect(sign).toBe(FEISHU_VECTOR.sign);
  });

  it('puts the second timestamp and the sign in the body, the URL untouched, nothing of the secret', () => {
    // Prepare
    const now = new Date(FEISHU_VECTOR.timestampSeconds * 1000 + 999);

    // Act
    const request = feishuChannel.render(summaryOf({ outcome: 'available' }), { url: URLS.feishu, secret: FEISHU_VECTOR.secret, now });

    // Assess
    const body = JSON.parse(request.body);
    expect(request.url).toBe(URLS.feishu);
    expect(body.timestamp).toBe('1700000000');
    expect(body.sign).toBe(FEISHU_VECTOR.sign);
    expect(`${request.url}${request.body}`).not.toContain(FEISHU_VECTOR.secret);
  });

  it('leaves timestamp and sign out without a secret', () => {
    // Prepare
    const now = new Date(FEISHU_VECTOR.timestampSeconds * 1000);

    // Act
    const body = JSON.parse(feishuChannel.render(summaryOf({ outcome: 'available' }), { url: URLS.feishu, now }).body);

    // Assess
    expect(body).not.toHaveProperty('sign');
    expect(body).not.toHaveProperty('timestamp');
    expect(body.msg_type).toBe('interactive');
  });
});

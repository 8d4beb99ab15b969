import { createHmac } from 'node:crypto';
import type { ChatMessage } from '../core/notifications/message';
import { CHAT_RATE_LIMITS } from '../core/notifications/rate-budget';
import { utf8Bytes } from '../core/notifications/text';
import { isRetryableStatus, isSuccessStatus, numericField, parseJsonObject, sanitizeReason, textField, verdictFromStatus } from './answer';
import { assertWebhookUrl, type Channel, type ChannelAnswer, type ChannelSettings, type DeliveryVerdict, JSON_HEADERS } from './channel';
import { fitDoc } from './fit';
import { docFor, type MessageDoc, moreLine } from './layout';
import { escapeMarkdownLite as e } from './markup';

/**
 * DingTalk custom robot (notes §2): markdown message; with a signing secret, `timestamp` (ms) and
 * `sign` go in the query. DingTalk answers HTTP 200 with `errcode` ≠ 0 on refusals, and throttles
 * a robot for 10 minutes after 20 messages in a minute.
 */

/** urlEncode(base64(HMAC-SHA256(key = secret, message = `${timestampMs}\n${secret}`))). */
export const dingtalkSign = (secret: string, timestampMs: number): string =>
  encodeURIComponent(createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64'));

/**
 * DingTalk documents no markdown size limit; this cap is ours, well under what robots are seen to
 * accept, and keeps a message readable on a phone.
 */
const MAX_BODY_BYTES = 16_000;

/** Lines start with our own markup ("- ", "> "), never with job text, so no value opens a block. */
const markdown = (doc: MessageDoc): string => {
  const blocks = [`#### ${e(doc.title)}`, doc.facts.map((fact) => `- **${e(fact.label)}:** ${e(fact.value)}`).join('\n')];
  if (doc.detail !== null) blocks.push(doc.detail.value === '' ? `**${e(doc.detail.label)}**` : `**${e(doc.detail.label)}**\n\n> ${e(doc.detail.value)}`);
  for (const section of doc.sections) {
    const lines = [...section.items.map((item) => `- ${e(item)}`), ...(section.more > 0 ? [`- ${e(moreLine(section.more))}`] : [])];
    blocks.push(`**${e(section.heading)}**\n\n${lines.join('\n')}`);
  }
  if (doc.link !== null) blocks.push(`[${e(doc.link.label)}](${doc.link.url})`);
  blocks.push(e(doc.footer));
  return blocks.join('\n\n');
};

const body = (doc: MessageDoc): string =>
  JSON.stringify({
    msgtype: 'markdown',
    // The title is what the conversation list shows; escaped too, in case a client renders it.
    markdown: { title: e(doc.title), text: markdown(doc) },
    at: { atMobiles: [], isAtAll: false },
  });

/** Rate-limit codes seen from robots ("send too fast"); the robot then stays throttled 10 min. */
const RATE_LIMITED = new Set([130101, 410100]);
/** "System busy": the platform's own transient failure. */
const BUSY = new Set([-1]);

const interpret = (answer: ChannelAnswer): DeliveryVerdict => {
  if (isRetryableStatus(answer.status)) return verdictFromStatus('DingTalk', answer);
  const json = parseJsonObject(answer.body);
  const code = numericField(json, 'errcode');
  if (code === undefined) return verdictFromStatus('DingTalk', answer);
  if (code === 0) return isSuccessStatus(answer.status) ? { kind: 'delivered' } : verdictFromStatus('DingTalk', answer);
  const message = textField(json, 'errmsg');
  const reason = sanitizeReason(`DingTalk errcode ${code}: ${message}`);
  if (RATE_LIMITED.has(code) || /too fast|frequency/i.test(message)) {
    return { kind: 'retry', afterSeconds: CHAT_RATE_LIMITS.dingtalk.penaltySeconds, reason };
  }
  if (BUSY.has(code)) return { kind: 'retry', reason };
  // 310000 (keyword, sign, timestamp or IP allow-list), unknown token, disabled robot…
  return { kind: 'rejected', reason };
};

export const dingtalkChannel: Channel = {
  kind: 'dingtalk',
  limits: { ...CHAT_RATE_LIMITS.dingtalk, maxBytes: MAX_BODY_BYTES, measured: 'body' },
  render(message: ChatMessage, settings: ChannelSettings) {
    assertWebhookUrl('dingtalk', settings.url);
    const doc = fitDoc(docFor(message), (candidate) => utf8Bytes(body(candidate)), MAX_BODY_BYTES);
    const timestamp = settings.now.getTime();
    const url = settings.secret === undefined || settings.secret === '' ? settings.url : `${settings.url}&timestamp=${timestamp}&sign=${dingtalkSign(settings.secret, timestamp)}`;
    return { url, headers: JSON_HEADERS, body: body(doc) };
  },
  interpret,
};

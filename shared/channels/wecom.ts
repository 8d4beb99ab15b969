import type { ChatMessage } from '../core/notifications/message';
import { CHAT_RATE_LIMITS, DEFAULT_THROTTLE_SECONDS } from '../core/notifications/rate-budget';
import { utf8Bytes } from '../core/notifications/text';
import { isRetryableStatus, isSuccessStatus, numericField, parseJsonObject, sanitizeReason, textField, verdictFromStatus } from './answer';
import { assertWebhookUrl, type Channel, type ChannelAnswer, type ChannelSettings, type DeliveryVerdict, JSON_HEADERS } from './channel';
import { fitDoc } from './fit';
import { docFor, type MessageDoc, moreLine } from './layout';
import { escapeMarkdownLite as e } from './markup';

/**
 * WeCom group robot (notes §4): markdown message, no signature (the key in the URL is the
 * credential). The markdown content may hold at most 4,096 bytes of UTF-8 — bytes, not
 * characters: 1,366 Chinese characters already fill it. Errors come back as HTTP 200 with
 * `errcode` ≠ 0.
 */
export const WECOM_MAX_MARKDOWN_BYTES = 4096;

/**
 * WeCom's markdown subset: headers, bold, links, quotes and <font color="info|comment|warning">.
 * Every line starts with our own markup, never with job text.
 */
export const wecomMarkdown = (doc: MessageDoc): string => {
  const lines = [`### ${e(doc.title)}`, ...doc.facts.map((fact) => `> **${e(fact.label)}:** ${e(fact.value)}`)];
  if (doc.detail !== null) {
    lines.push(`<font color="warning">${e(doc.detail.label)}</font>`);
    if (doc.detail.value !== '') lines.push(`> ${e(doc.detail.value)}`);
  }
  for (const section of doc.sections) {
    lines.push(`**${e(section.heading)}**`, ...section.items.map((item) => `> • ${e(item)}`));
    if (section.more > 0) lines.push(`> ${e(moreLine(section.more))}`);
  }
  if (doc.link !== null) lines.push(`[${e(doc.link.label)}](${doc.link.url})`);
  lines.push(`<font color="comment">${e(doc.footer)}</font>`);
  return lines.join('\n');
};

const body = (doc: MessageDoc): string => JSON.stringify({ msgtype: 'markdown', markdown: { content: wecomMarkdown(doc) } });

/** "api freq out of limit": more than 20 messages in a minute. */
const RATE_LIMITED = 45009;
const BUSY = -1;
const EXPLAINED: Readonly<Record<number, string>> = { 93000: 'webhook URL invalid or revoked' };

const interpret = (answer: ChannelAnswer): DeliveryVerdict => {
  if (isRetryableStatus(answer.status)) return verdictFromStatus('WeCom', answer);
  const json = parseJsonObject(answer.body);
  const code = numericField(json, 'errcode');
  if (code === undefined) return verdictFromStatus('WeCom', answer);
  if (code === 0) return isSuccessStatus(answer.status) ? { kind: 'delivered' } : verdictFromStatus('WeCom', answer);
  const reason = sanitizeReason(`WeCom errcode ${code}${EXPLAINED[code] === undefined ? '' : ` (${EXPLAINED[code]})`}: ${textField(json, 'errmsg')}`);
  if (code === RATE_LIMITED) return { kind: 'retry', afterSeconds: DEFAULT_THROTTLE_SECONDS, reason };
  if (code === BUSY) return { kind: 'retry', reason };
  return { kind: 'rejected', reason };
};

export const wecomChannel: Channel = {
  kind: 'wecom',
  limits: { ...CHAT_RATE_LIMITS.wecom, maxBytes: WECOM_MAX_MARKDOWN_BYTES, measured: 'markdown content' },
  render(message: ChatMessage, settings: ChannelSettings) {
    assertWebhookUrl('wecom', settings.url);
    const doc = fitDoc(docFor(message), (candidate) => utf8Bytes(wecomMarkdown(candidate)), WECOM_MAX_MARKDOWN_BYTES);
    return { url: settings.url, headers: JSON_HEADERS, body: body(doc) };
  },
  interpret,
};

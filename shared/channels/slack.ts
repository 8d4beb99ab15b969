import type { ChatMessage } from '../core/notifications/message';
import { CHAT_RATE_LIMITS } from '../core/notifications/rate-budget';
import { clipChars, utf8Bytes } from '../core/notifications/text';
import { isRetryableStatus, isSuccessStatus, retryAfterSeconds, sanitizeReason, verdictFromStatus } from './answer';
import { assertWebhookUrl, type Channel, type ChannelAnswer, type ChannelSettings, type DeliveryVerdict, JSON_HEADERS } from './channel';
import { fitDoc } from './fit';
import { docFor, type MessageDoc, moreLine } from './layout';
import { escapePlain, escapeSlackMrkdwn } from './markup';

/**
 * Slack incoming webhook (notes §5): Block Kit with a `text` fallback for notifications. Job text
 * goes into `plain_text` objects with `emoji: false`, which Slack shows as typed (no formatting,
 * no mentions, no :shortcode: emoji); the only mrkdwn is the fallback (escaped) and the status
 * link (our configured URL). Success is HTTP 200 with the body `ok`; errors are HTTP statuses with
 * a short text code.
 */

/** Block Kit's own caps, in characters. */
const HEADER_CHARS = 150;
const SECTION_CHARS = 3000;
const FIELD_CHARS = 2000;
const MAX_FIELDS = 10;
const FALLBACK_CHARS = 300;
/** Slack caps blocks, not bodies; this whole-body cap is ours, to keep a message readable. */
const MAX_BODY_BYTES = 16_000;

const plain = (text: string, max: number) => ({ type: 'plain_text', text: clipChars(escapePlain(text === '' ? '—' : text), max), emoji: false });

const blocks = (doc: MessageDoc): unknown[] => {
  const result: unknown[] = [
    { type: 'header', text: plain(doc.title, HEADER_CHARS) },
    { type: 'section', fields: doc.facts.slice(0, MAX_FIELDS).map((fact) => plain(`${fact.label}: ${fact.value}`, FIELD_CHARS)) },
  ];
  if (doc.detail !== null) result.push({ type: 'section', text: plain(doc.detail.value === '' ? doc.detail.label : `${doc.detail.label}\n${doc.detail.value}`, SECTION_CHARS) });
  for (const section of doc.sections) {
    const lines = [section.heading, ...section.items.map((item) => `• ${item}`), ...(section.more > 0 ? [moreLine(section.more)] : [])];
    result.push({ type: 'section', text: plain(lines.join('\n'), SECTION_CHARS) });
  }
  // A status-page URL has only characters mrkdwn leaves alone (StatusPageBaseUrl, statusPageLink).
  if (doc.link !== null) result.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${doc.link.url}|${escapeSlackMrkdwn(doc.link.label)}>` }] });
  result.push({ type: 'context', elements: [plain(doc.footer, SECTION_CHARS)] });
  return result;
};

const body = (doc: MessageDoc): string =>
  // Cut before escaping, so the cut never lands inside an &amp;.
  JSON.stringify({ text: escapeSlackMrkdwn(clipChars(doc.title, FALLBACK_CHARS)), blocks: blocks(doc) });

/** Slack's documented webhook error codes, and what they mean for the operator. */
const EXPLAINED: Readonly<Record<string, string>> = {
  invalid_payload: 'the message was malformed',
  user_not_found: 'user not found',
  action_prohibited: 'posting is restricted in this channel',
  channel_not_found: 'the channel is gone',
  channel_is_archived: 'the channel is archived',
  no_service: 'the webhook was disabled or removed',
  invalid_token: 'the webhook was revoked',
  rollup_error: 'Slack had an internal error',
};

const interpret = (answer: ChannelAnswer): DeliveryVerdict => {
  const text = answer.body.trim();
  if (isSuccessStatus(answer.status) && text === 'ok') return { kind: 'delivered' };
  const code = /^[a-z_]{1,64}$/.test(text) ? text : undefined;
  if (code === undefined) return verdictFromStatus('Slack', answer);
  const reason = sanitizeReason(`Slack HTTP ${answer.status} ${code}${EXPLAINED[code] === undefined ? '' : ` (${EXPLAINED[code]})`}`);
  if (isRetryableStatus(answer.status)) return { kind: 'retry', afterSeconds: answer.status === 429 ? retryAfterSeconds(answer) : undefined, reason };
  if (isSuccessStatus(answer.status)) return { kind: 'retry', reason };
  return { kind: 'rejected', reason };
};

export const slackChannel: Channel = {
  kind: 'slack',
  limits: { ...CHAT_RATE_LIMITS.slack, maxBytes: MAX_BODY_BYTES, measured: 'body' },
  render(message: ChatMessage, settings: ChannelSettings) {
    assertWebhookUrl('slack', settings.url);
    const doc = fitDoc(docFor(message), (candidate) => utf8Bytes(body(candidate)), MAX_BODY_BYTES);
    return { url: settings.url, headers: JSON_HEADERS, body: body(doc) };
  },
  interpret,
};

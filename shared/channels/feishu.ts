import { createHmac } from 'node:crypto';
import type { ChatMessage } from '../core/notifications/message';
import { CHAT_RATE_LIMITS } from '../core/notifications/rate-budget';
import { graphemes, utf8Bytes } from '../core/notifications/text';
import { isRetryableStatus, isSuccessStatus, numericField, parseJsonObject, sanitizeReason, textField, verdictFromStatus } from './answer';
import { assertWebhookUrl, type Channel, type ChannelAnswer, type ChannelSettings, type DeliveryVerdict, JSON_HEADERS } from './channel';
import { fitDoc } from './fit';
import { docFor, type MessageDoc, moreLine, type Tone } from './layout';
import { escapePlain } from './markup';

/**
 * Feishu / Lark custom bot (notes §3): an interactive card; with a signing secret, `timestamp`
 * (seconds) and `sign` go in the body. Every job-derived string sits in a `plain_text` element,
 * which Feishu draws as typed, so nothing needs escaping and no job text can become lark_md
 * markup, an @-mention or a link. Errors come back as HTTP 200 with `code` ≠ 0.
 */

/** base64(HMAC-SHA256(key = `${timestampSeconds}\n${secret}`, message = "")): the message is empty. */
export const feishuSign = (secret: string, timestampSeconds: number): string =>
  createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');

/** The documented 20 KB request body, read as 20,000 bytes to stay on the safe side. */
const MAX_BODY_BYTES = 20_000;

const TEMPLATE: Readonly<Record<Tone, string>> = {
  success: 'green',
  failure: 'red',
  warning: 'orange',
  neutral: 'blue',
};

const plain = (content: string) => ({ tag: 'plain_text', content: escapePlain(content) });

/** Short values sit two to a row; long ones get the full width. */
const SHORT_FIELD_GRAPHEMES = 28;

const card = (doc: MessageDoc) => {
  const elements: unknown[] = [
    {
      tag: 'div',
      fields: doc.facts.map((fact) => {
        const text = `${fact.label}: ${fact.value}`;
        return { is_short: graphemes(text).length <= SHORT_FIELD_GRAPHEMES, text: plain(text) };
      }),
    },
  ];
  if (doc.detail !== null) elements.push({ tag: 'div', text: plain(doc.detail.value === '' ? doc.detail.label : `${doc.detail.label}\n${doc.detail.value}`) });
  for (const section of doc.sections) {
    const lines = [section.heading, ...section.items.map((item) => `• ${item}`), ...(section.more > 0 ? [moreLine(section.more)] : [])];
    elements.push({ tag: 'div', text: plain(lines.join('\n')) });
  }
  if (doc.link !== null) elements.push({ tag: 'action', actions: [{ tag: 'button', text: plain(doc.link.label), type: 'default', url: doc.link.url }] });
  elements.push({ tag: 'hr' }, { tag: 'note', elements: [plain(doc.footer)] });
  return {
    config: { wide_screen_mode: true },
    header: { title: plain(doc.title), template: TEMPLATE[doc.tone] },
    elements,
  };
};

const body = (doc: MessageDoc, signature: { readonly timestamp: string; readonly sign: string } | undefined): string =>
  // `card` is an object for custom bots (the im/v1 API wants a string instead).
  JSON.stringify({ ...signature, msg_type: 'interactive', card: card(doc) });

const RATE_LIMITED = 11232;
const EXPLAINED: Readonly<Record<number, string>> = {
  9499: 'bad request',
  19021: 'signature or timestamp refused',
  19022: 'IP address not allowed',
  19024: 'keyword missing',
};

const interpret = (answer: ChannelAnswer): DeliveryVerdict => {
  if (isRetryableStatus(answer.status)) return verdictFromStatus('Feishu', answer);
  const json = parseJsonObject(answer.body);
  // Newer answers carry `code`/`msg`, older ones `StatusCode`/`StatusMessage`; `code` wins.
  const code = numericField(json, 'code') ?? numericField(json, 'StatusCode');
  if (code === undefined) return verdictFromStatus('Feishu', answer);
  if (code === 0) return isSuccessStatus(answer.status) ? { kind: 'delivered' } : verdictFromStatus('Feishu', answer);
  const message = textField(json, 'msg') || textField(json, 'StatusMessage');
  const reason = sanitizeReason(`Feishu code ${code}${EXPLAINED[code] === undefined ? '' : ` (${EXPLAINED[code]})`}: ${message}`);
  if (code === RATE_LIMITED) return { kind: 'retry', afterSeconds: 60, reason };
  return { kind: 'rejected', reason };
};

export const feishuChannel: Channel = {
  kind: 'feishu',
  limits: { ...CHAT_RATE_LIMITS.feishu, maxBytes: MAX_BODY_BYTES, measured: 'body' },
  render(message: ChatMessage, settings: ChannelSettings) {
    assertWebhookUrl('feishu', settings.url);
    const timestamp = Math.floor(settings.now.getTime() / 1000);
    const signature = settings.secret === undefined || settings.secret === '' ? undefined : { timestamp: String(timestamp), sign: feishuSign(settings.secret, timestamp) };
    const doc = fitDoc(docFor(message), (candidate) => utf8Bytes(body(candidate, signature)), MAX_BODY_BYTES);
    return { url: settings.url, headers: JSON_HEADERS, body: body(doc, signature) };
  },
  interpret,
};

import { boundedLine } from '../core/notifications/text';
import type { ChannelAnswer, DeliveryVerdict } from './channel';

/**
 * Reading platform answers. A reason ends up on the job (lastError) and in logs, so it is short,
 * one line, free of control characters, and anything that looks like a credential is blanked.
 */
export const MAX_REASON_BYTES = 160;

const CREDENTIALS: readonly (readonly [RegExp, string])[] = [
  [/(access_token|key|sign|secret|token)=[^&\s"']*/gi, '$1=[redacted]'],
  [/hooks\.slack\.com\/\S*/gi, '[redacted]'],
  [/\/bot\/v2\/hook\/\S*/gi, '/bot/v2/hook/[redacted]'],
  // Long opaque runs: tokens, keys, signatures (a request id is worth less than a leaked key).
  [/[A-Za-z0-9+/_-]{32,}={0,2}/g, '[redacted]'],
];

export const sanitizeReason = (text: string): string =>
  boundedLine(
    // The first few KiB are plenty for 160 bytes of reason, and bound the regex work.
    CREDENTIALS.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text.slice(0, 4096)),
    MAX_REASON_BYTES,
  );

/** Bodies are parsed only when small: an error page of megabytes says nothing useful. */
const MAX_PARSED_BODY = 64 * 1024;

export const parseJsonObject = (body: string): Readonly<Record<string, unknown>> | undefined => {
  if (body.length > MAX_PARSED_BODY) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** A numeric code from a JSON answer; numbers sent as strings are accepted too. */
export const numericField = (object: Readonly<Record<string, unknown>> | undefined, key: string): number | undefined => {
  const value = object?.[key];
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,12}$/.test(value)) return Number(value);
  return undefined;
};

export const textField = (object: Readonly<Record<string, unknown>> | undefined, key: string): string =>
  typeof object?.[key] === 'string' ? object[key] : '';

/** Retry-After in seconds (the HTTP-date form is ignored: it needs a clock), capped at an hour. */
export const retryAfterSeconds = (answer: ChannelAnswer): number | undefined => {
  const header = Object.entries(answer.headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  if (header === undefined || !/^\s*\d{1,6}\s*$/.test(header)) return undefined;
  return Math.min(Number(header), 3600);
};

/** Worth asking again at the HTTP level: timeouts, throttling, server errors. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 425 || status === 429 || status >= 500;

export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

/** The verdict from the HTTP status alone, for answers whose body says nothing we recognise. */
export const verdictFromStatus = (platform: string, answer: ChannelAnswer): DeliveryVerdict => {
  const reason = sanitizeReason(`${platform} answered HTTP ${answer.status}${answer.body.trim() === '' ? '' : `: ${answer.body}`}`);
  if (isRetryableStatus(answer.status)) return { kind: 'retry', afterSeconds: answer.status === 429 ? retryAfterSeconds(answer) : undefined, reason };
  // A 2xx whose body we cannot read: the post may or may not have landed. Asking again risks a
  // duplicate chat message; not asking risks a lost one, the worse of the two.
  if (isSuccessStatus(answer.status)) return { kind: 'retry', reason: sanitizeReason(`${platform} gave an answer we do not recognise (HTTP ${answer.status})`) };
  return { kind: 'rejected', reason };
};

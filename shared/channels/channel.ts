import { ConfigError } from '../core/domain/errors';
import { type ChatWebhookKind, chatWebhookUrlProblem } from '../core/notifications/chat-webhook';
import type { ChatMessage } from '../core/notifications/message';
import type { RateLimits } from '../core/notifications/rate-budget';

/** What a channel needs besides the message. Secrets arrive here and leave only as signatures. */
export interface ChannelSettings {
  /** The webhook URL; for WeCom and Slack it is itself the credential. */
  readonly url: string;
  /** The signing secret (DingTalk "加签", Feishu "签名校验"); without one, nothing is signed. */
  readonly secret?: string | undefined;
  /** The signing timestamp comes from here: injected, never read from the system clock. */
  readonly now: Date;
}

/** One HTTPS POST, ready for a WebhookTransport (which adds its timeout). */
export interface ChannelRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What came back. Chinese platforms answer errors with HTTP 200, so the body matters. */
export interface ChannelAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined;
}

export type DeliveryVerdict =
  | { readonly kind: 'delivered' }
  /** Try again, not before `afterSeconds` when given (a rate-limit answer). */
  | { readonly kind: 'retry'; readonly afterSeconds?: number | undefined; readonly reason: string }
  /** Asking again will not help: bad URL, signature, keyword, IP allow-list, archived channel. */
  | { readonly kind: 'rejected'; readonly reason: string };

export interface ChannelLimits extends RateLimits {
  /** The size cap renders stay within, in UTF-8 bytes… */
  readonly maxBytes: number;
  /** …of this part of the request. */
  readonly measured: 'body' | 'markdown content';
}

export interface Channel {
  readonly kind: ChatWebhookKind;
  readonly limits: ChannelLimits;
  /** Throws ConfigError (never quoting the URL) when `settings.url` is not this platform's. */
  render(message: ChatMessage, settings: ChannelSettings): ChannelRequest;
  interpret(answer: ChannelAnswer): DeliveryVerdict;
}

export const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'user-agent': 'image-replicator/1',
};

/**
 * Refuses a URL that is not the platform's own shape before anything is posted to it. The error
 * names the kind and the expected shape, never the URL, which may be the credential.
 */
export const assertWebhookUrl = (kind: ChatWebhookKind, url: string): void => {
  const problem = chatWebhookUrlProblem(kind, url);
  if (problem !== undefined) throw new ConfigError(problem);
};

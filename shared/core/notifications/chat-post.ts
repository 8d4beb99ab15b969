import { sanitizeReason } from '../../channels/answer';
import { channelFor, type Channel, type DeliveryVerdict } from '../../channels';
import { MessageTooLargeError } from '../../channels/fit';
import { webhookKey, type WebhookSecrets } from '../config/load-policy-config';
import type { Clock } from '../domain/clock';
import { errorMessage } from '../domain/errors';
import { WEBHOOK_TIMEOUT_MS } from '../domain/retry-policy';
import type { WebhookTransport } from '../ports/webhook-transport';
import { chatWebhookUrlProblem } from './chat-webhook';
import type { ChatMessage } from './message';
import { historyOf, type OutboxLease, withHistory } from './outbox';
import { recordSent, recordThrottled } from './rate-budget';
import { type ChatWebhook, urlIsCredential } from './webhook-config';

/** What a chat post needs besides the message: resolved once per webhook and run. */
export interface ChatCredentials {
  readonly url: string;
  readonly secret?: string | undefined;
}

/**
 * The webhook's URL and signing secret from the secrets the wiring loaded (WeCom and Slack URLs
 * arrive there too: they are credentials). The problem, when there is one, names the variable,
 * never its value.
 */
export const chatCredentials = (policy: string, hook: ChatWebhook, secrets: WebhookSecrets): ChatCredentials | { readonly problem: string } => {
  const stored = secrets.get(webhookKey(policy, hook));
  if (urlIsCredential(hook)) {
    if (stored === undefined) return { problem: `the URL of webhook ${hook.name} is not in the environment (${hook.urlEnv ?? hook.secretEnv})` };
    const problem = chatWebhookUrlProblem(hook.kind, stored.trim());
    return problem === undefined ? { url: stored.trim() } : { problem: `${hook.urlEnv ?? hook.secretEnv}: ${problem}` };
  }
  if (stored === undefined) return { problem: `no signing secret for webhook ${hook.name} in the environment (${hook.secretEnv})` };
  return { url: hook.url, secret: stored };
};

/** What one post came to, for the caller to record on its jobs or digest mark. */
export type PostResult =
  | { readonly kind: 'delivered' }
  /** Throttled by the platform: nothing to record on jobs; the webhook is held `afterSeconds`. */
  | { readonly kind: 'throttled'; readonly afterSeconds: number; readonly reason: string }
  /** Might work later: a failed attempt. */
  | { readonly kind: 'failed'; readonly reason: string }
  /** Will not work by asking again: give up. `sent` is false when nothing left this process. */
  | { readonly kind: 'refused'; readonly reason: string; readonly sent: boolean };

export interface ChatPoster {
  readonly channel: Channel;
  post(message: ChatMessage, lease: OutboxLease): Promise<PostResult>;
}

/**
 * Renders, signs on the wall clock (platforms allow an hour of skew from their own), posts, and
 * counts the post in the webhook's history whatever the answer: a platform counts what reached
 * it, and an unanswered post may have.
 */
export const chatPoster = (
  hook: ChatWebhook,
  credentials: ChatCredentials,
  deps: { readonly transport: WebhookTransport; readonly wallClock: Clock },
): ChatPoster => {
  const channel = channelFor(hook.kind);
  return {
    channel,
    async post(message, lease) {
      let request;
      try {
        request = channel.render(message, { url: credentials.url, secret: credentials.secret, now: deps.wallClock.now() });
      } catch (error) {
        const reason = error instanceof MessageTooLargeError ? `the message cannot be made to fit ${hook.kind}'s size limit` : errorMessage(error);
        return { kind: 'refused', reason: sanitizeReason(reason), sent: false };
      }
      const sentAt = deps.wallClock.now();
      const response = await deps.transport.post({ url: request.url, headers: request.headers, body: request.body, timeoutMs: WEBHOOK_TIMEOUT_MS, allowLoopback: false });
      const verdict: DeliveryVerdict =
        response.status === undefined
          ? // No answer (timeout, reset, refused address): the post may or may not have landed.
            { kind: 'retry', reason: sanitizeReason(`${hook.kind} did not answer: ${response.ok ? '' : response.error}`) }
          : channel.interpret({ status: response.status, body: response.body ?? '', headers: { ...response.headers } });
      const throttledFor = verdict.kind === 'retry' ? verdict.afterSeconds : undefined;
      const answeredAt = deps.wallClock.now();
      await lease.update((doc) => {
        const sent = recordSent(channel.limits, historyOf(doc), sentAt);
        const history = throttledFor === undefined ? sent : recordThrottled(channel.limits, sent, answeredAt, throttledFor);
        return withHistory(doc, history, answeredAt.getTime());
      });
      if (verdict.kind === 'delivered') return { kind: 'delivered' };
      if (verdict.kind === 'rejected') return { kind: 'refused', reason: verdict.reason, sent: true };
      return throttledFor === undefined ? { kind: 'failed', reason: verdict.reason } : { kind: 'throttled', afterSeconds: throttledFor, reason: verdict.reason };
    },
  };
};

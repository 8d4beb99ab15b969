import type { ChatWebhookKind } from './chat-webhook';

/**
 * A per-webhook send budget, pure: the caller keeps each webhook's SendHistory (where it keeps
 * job state), passes the time in, and asks before every post. Chat platforms count per robot, so
 * a burst of outcomes must either spread out or become one batched message; DingTalk punishes a
 * 21st message in a minute with ten minutes of silence.
 */
export interface RateLimits {
  readonly perMinute: number;
  readonly perSecond?: number | undefined;
  /** How long the platform stays silent once the per-minute limit is broken. */
  readonly penaltySeconds?: number | undefined;
}

/** notifications-notes §7. Slack's "about one per second, short bursts allowed" is taken strictly. */
export const CHAT_RATE_LIMITS = {
  dingtalk: { perMinute: 20, penaltySeconds: 600 },
  wecom: { perMinute: 20 },
  feishu: { perMinute: 100, perSecond: 5 },
  slack: { perMinute: 60, perSecond: 1 },
} as const satisfies Record<ChatWebhookKind, RateLimits>;

/**
 * Windows are a little longer than the platform's: our clock, theirs and the network disagree by
 * a few hundred milliseconds, and a message counted in their previous minute costs ten.
 */
export const MINUTE_WINDOW_MS = 61_000;
export const SECOND_WINDOW_MS = 1_100;
/** Without a Retry-After or a documented penalty, a rate-limit answer holds the webhook this long. */
export const DEFAULT_THROTTLE_SECONDS = 60;

/** One webhook's recent sends (ms since epoch, any order) and any silence the platform imposed. */
export interface SendHistory {
  readonly sentAtMs: readonly number[];
  readonly blockedUntilMs?: number | undefined;
}

export const EMPTY_HISTORY: SendHistory = { sentAtMs: [] };

/** The earliest instant ≥ t at which fewer than `limit` sends fall within `windowMs` before it. */
const earliestUnder = (sends: readonly number[], limit: number, windowMs: number, t: number): number => {
  const inWindow = sends.filter((sent) => sent > t - windowMs).sort((a, b) => a - b);
  if (inWindow.length < limit) return t;
  // The oldest sends must age out until only limit − 1 remain.
  return Math.max(t, (inWindow[inWindow.length - limit] ?? t) + windowMs);
};

const nextSlotMs = (limits: RateLimits, history: SendHistory, nowMs: number): number => {
  let t = Math.max(nowMs, history.blockedUntilMs ?? nowMs);
  // Moving forward for one window can only free the other, so this settles in a couple of rounds.
  for (let round = 0; round < 8; round += 1) {
    let next = earliestUnder(history.sentAtMs, limits.perMinute, MINUTE_WINDOW_MS, t);
    if (limits.perSecond !== undefined) next = earliestUnder(history.sentAtMs, limits.perSecond, SECOND_WINDOW_MS, next);
    if (next === t) return t;
    t = next;
  }
  return t;
};

/** When the next message may go: `now` itself when one may go now. */
export const nextSlot = (limits: RateLimits, history: SendHistory, now: Date): Date => new Date(nextSlotMs(limits, history, now.getTime()));

export const mayGoNow = (limits: RateLimits, history: SendHistory, now: Date): boolean => nextSlotMs(limits, history, now.getTime()) <= now.getTime();

const freeIn = (sends: readonly number[], limit: number, windowMs: number, nowMs: number): number =>
  Math.max(0, limit - sends.filter((sent) => sent > nowMs - windowMs).length);

/** Records a post. Old sends are dropped; breaking the per-minute limit anyway starts the penalty. */
export const recordSent = (limits: RateLimits, history: SendHistory, at: Date): SendHistory => {
  const atMs = at.getTime();
  const sentAtMs = [...history.sentAtMs, atMs].filter((sent) => sent > atMs - MINUTE_WINDOW_MS).sort((a, b) => a - b);
  const broke = limits.penaltySeconds !== undefined && sentAtMs.length > limits.perMinute;
  const blockedUntilMs = broke ? Math.max(history.blockedUntilMs ?? 0, atMs + limits.penaltySeconds * 1000) : history.blockedUntilMs;
  return blockedUntilMs === undefined || blockedUntilMs <= atMs ? { sentAtMs } : { sentAtMs, blockedUntilMs };
};

/** The platform answered "too fast": hold the webhook for its Retry-After, its penalty, or a minute. */
export const recordThrottled = (limits: RateLimits, history: SendHistory, at: Date, retryAfterSeconds?: number): SendHistory => {
  const holdSeconds = retryAfterSeconds ?? limits.penaltySeconds ?? DEFAULT_THROTTLE_SECONDS;
  return { ...history, blockedUntilMs: Math.max(history.blockedUntilMs ?? 0, at.getTime() + holdSeconds * 1000) };
};

export type BacklogPlan =
  | { readonly kind: 'idle' }
  /** Nothing may go before `until`; ask again then. */
  | { readonly kind: 'wait'; readonly until: Date }
  /** Post the `count` oldest pending messages one by one now, recording each; then ask again. */
  | { readonly kind: 'send'; readonly count: number }
  /** More is pending than the minute has room for: post all `count` pending as one message now. */
  | { readonly kind: 'batch'; readonly count: number };

/**
 * What to do with `pending` messages waiting for one webhook. They go one by one while the
 * minute's remaining budget covers them all; a backlog larger than that becomes a single message,
 * so a burst of forty outcomes costs one of DingTalk's twenty slots instead of the next twenty.
 */
export const planBacklog = (limits: RateLimits, history: SendHistory, now: Date, pending: number): BacklogPlan => {
  if (pending <= 0) return { kind: 'idle' };
  const nowMs = now.getTime();
  const slot = nextSlotMs(limits, history, nowMs);
  if (slot > nowMs) return { kind: 'wait', until: new Date(slot) };
  const minuteFree = freeIn(history.sentAtMs, limits.perMinute, MINUTE_WINDOW_MS, nowMs);
  if (pending > minuteFree) return { kind: 'batch', count: pending };
  const secondFree = limits.perSecond === undefined ? pending : freeIn(history.sentAtMs, limits.perSecond, SECOND_WINDOW_MS, nowMs);
  return { kind: 'send', count: Math.max(1, Math.min(pending, minuteFree, secondFree)) };
};

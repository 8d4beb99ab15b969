import type { WebhookSecrets } from '../config/load-policy-config';
import type { Policy } from '../config/policy-config';
import type { Clock } from '../domain/clock';
import { isTerminal } from '../domain/job';
import { webhookRedeliverySeconds } from '../domain/retry-policy';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { WebhookOutboxStore } from '../ports/webhook-outbox';
import type { WebhookTransport } from '../ports/webhook-transport';
import { chatCredentials, chatPoster } from './chat-post';
import { buildDigest, digestWindow } from './digest';
import { acquireLease, historyOf, type OutboxDocument, type OutboxLease, outboxKey, peekOutbox } from './outbox';
import { nextSlot } from './rate-budget';
import { type ChatWebhook, type DigestConfig, type DigestSchedule, isChatWebhook } from './webhook-config';

/**
 * The digest: one message per slot (a day at `dailyHourUtc`, or a nightly run once its copies
 * have ended) for each chat webhook that asks for one. The outbox remembers the last slot dealt
 * with and where the last digest's window ended, so each finished job is counted in exactly one
 * digest, and a digest that could not be sent leaves its window to the next one.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The nightly sweep needs a few minutes to create its jobs: a digest sooner would miss them. */
export const NIGHTLY_SETTLE_MS = 15 * 60_000;
/** Failed tries before a slot's digest is given up (its window goes to the next digest). */
export const MAX_DIGEST_ATTEMPTS = 5;

/** The slot `nowMs` falls in: the latest instant at the schedule's hour (UTC) not after it. */
export const digestSlotMs = (schedule: DigestSchedule, nowMs: number, config: DigestConfig): number => {
  const hour = schedule === 'daily' ? config.dailyHourUtc : config.nightlyRunHourUtc;
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS + hour * HOUR_MS;
  return nowMs >= today ? today : today - DAY_MS;
};

/** The slot whose digest is due now, or undefined. `copiesRunning` is asked only when it matters. */
export const dueSlot = async (
  schedule: DigestSchedule,
  doc: OutboxDocument,
  nowMs: number,
  config: DigestConfig,
  copiesRunning: () => Promise<boolean>,
): Promise<number | undefined> => {
  const slot = digestSlotMs(schedule, nowMs, config);
  // A mark past now is no run's (a document edited by hand): obeyed, it would stop every digest until then.
  const marked = doc.digest?.slotMs;
  if (marked !== undefined && marked >= slot && marked <= nowMs) return undefined;
  if (schedule === 'daily') return slot;
  if (nowMs < slot + NIGHTLY_SETTLE_MS) return undefined;
  // After the nightly run means after its copies: wait for them, but not forever.
  if (nowMs < slot + config.maxWaitHours * HOUR_MS && (await copiesRunning())) return undefined;
  return slot;
};

export interface DigestSenderDeps {
  readonly jobs: JobStore;
  readonly outbox: WebhookOutboxStore;
  readonly transport: WebhookTransport;
  readonly secrets: WebhookSecrets;
  /** The workflow's clock: slots and windows, like the jobs' own times. */
  readonly clock: Clock;
  /** Real time: signatures and the platform's rate limit. */
  readonly wallClock: Clock;
  readonly logger: Logger;
  readonly digest: DigestConfig;
  readonly statusPageBaseUrl?: string | undefined;
  readonly owner: string;
}

export interface DigestRun {
  readonly sent: readonly string[];
  /** A digest is due but had to wait (rate limit, another run, a failure): ask again after this long. */
  readonly retryInSeconds?: number | undefined;
}

export const createDigestSender = (deps: DigestSenderDeps) => {
  const { jobs, clock, logger } = deps;
  const wallMs = () => deps.wallClock.now().getTime();

  const markSlot = (lease: OutboxLease, slotMs: number, windowToMs: number | undefined) =>
    lease.update((doc) => ({ ...doc, digest: { slotMs, windowToMs, attempts: 0 } }));

  /** Gives up a slot after failures; its window stays open, so the next digest covers it. */
  const failSlot = async (lease: OutboxLease, slotMs: number, hook: ChatWebhook, reason: string, final: boolean): Promise<number | undefined> => {
    const previous = lease.doc.digest;
    const attempts = (previous?.attempts ?? 0) + 1;
    if (final || attempts >= MAX_DIGEST_ATTEMPTS) {
      await markSlot(lease, slotMs, previous?.windowToMs);
      logger.error('digest given up for this slot; the next digest covers its window', { webhook: hook.name, reason });
      return undefined;
    }
    await lease.update((doc) => ({ ...doc, digest: { slotMs: previous?.slotMs ?? 0, windowToMs: previous?.windowToMs, attempts } }));
    logger.warn('digest failed, will retry', { webhook: hook.name, reason, attempts });
    return webhookRedeliverySeconds(attempts);
  };

  /** Sends one webhook's digest if due; answers when to ask again, when it must. */
  const sendOne = async (policy: Policy, hook: ChatWebhook & { readonly digest: DigestSchedule }, copiesRunning: () => Promise<boolean>): Promise<{ sent: boolean; retryInSeconds?: number | undefined }> => {
    const key = outboxKey(policy.name, hook.name);
    const now = clock.now().getTime();
    if ((await dueSlot(hook.digest, await peekOutbox(deps.outbox, key), now, deps.digest, copiesRunning)) === undefined) return { sent: false };
    const acquired = await acquireLease(deps.outbox, key, deps.owner, wallMs, logger);
    if (acquired.kind === 'busy') return { sent: false, retryInSeconds: 5 };
    const { lease } = acquired;
    try {
      // Decided again under the lease: another run may have sent it meanwhile.
      const slot = await dueSlot(hook.digest, lease.doc, now, deps.digest, copiesRunning);
      if (slot === undefined) return { sent: false };
      const credentials = chatCredentials(policy.name, hook, deps.secrets);
      if ('problem' in credentials) return { sent: false, retryInSeconds: await failSlot(lease, slot, hook, credentials.problem, true) };
      const poster = chatPoster(hook, credentials, deps);
      const wall = deps.wallClock.now();
      const free = nextSlot(poster.channel.limits, historyOf(lease.doc), wall);
      if (free.getTime() > wall.getTime()) return { sent: false, retryInSeconds: Math.ceil((free.getTime() - wall.getTime()) / 1000) };
      const lastTo = lease.doc.digest?.windowToMs;
      const window = digestWindow(new Date(now), lastTo === undefined ? undefined : new Date(lastTo));
      const digest = buildDigest({ policy: policy.name, webhook: hook.name, window, jobs: await jobs.list({ policy: policy.name }), statusPageBaseUrl: deps.statusPageBaseUrl });
      // Reading every job may outlast the lease: renewed (and still ours) before anything is posted.
      await lease.update((doc) => doc);
      const marked = lease.doc.digest?.slotMs;
      if (lease.doc.lease?.owner !== deps.owner || (marked !== undefined && marked >= slot && marked <= now)) return { sent: false };
      const result = await poster.post(digest, lease);
      switch (result.kind) {
        case 'delivered':
          await markSlot(lease, slot, window.to.getTime());
          logger.info('digest delivered', { webhook: hook.name, policy: policy.name, copiesMade: digest.copiesMade, failed: digest.failed + digest.timedOut });
          return { sent: true };
        case 'throttled':
          logger.warn('chat webhook rate-limited the digest; holding it', { webhook: hook.name, afterSeconds: result.afterSeconds });
          return { sent: false, retryInSeconds: Math.max(1, Math.ceil(result.afterSeconds)) };
        case 'failed':
          return { sent: false, retryInSeconds: await failSlot(lease, slot, hook, result.reason, false) };
        case 'refused':
          return { sent: false, retryInSeconds: await failSlot(lease, slot, hook, result.reason, true) };
      }
    } finally {
      await lease.release().catch((error: unknown) => logger.warn('could not release a webhook outbox lease', { webhook: hook.name, error: String(error) }));
    }
  };

  return {
    /** Sends every digest of `policy` that is due. Cheap when none is: one outbox read per digest webhook. */
    async maybeSend(policy: Policy): Promise<DigestRun> {
      const hooks = policy.webhooks.filter(isChatWebhook).filter((hook): hook is ChatWebhook & { readonly digest: DigestSchedule } => hook.digest !== undefined);
      if (hooks.length === 0) return { sent: [] };
      let running: Promise<boolean> | undefined;
      const copiesRunning = () => (running ??= jobs.listInFlight().then((inFlight) => inFlight.some((job) => job.policy === policy.name && !isTerminal(job.status))));
      const sent: string[] = [];
      const asks: number[] = [];
      for (const hook of hooks) {
        const outcome = await sendOne(policy, hook, copiesRunning);
        if (outcome.sent) sent.push(hook.name);
        if (outcome.retryInSeconds !== undefined) asks.push(outcome.retryInSeconds);
      }
      return asks.length === 0 ? { sent } : { sent, retryInSeconds: Math.min(...asks) };
    },
  };
};

import type { WebhookSecrets } from '../config/load-policy-config';
import type { Clock } from '../domain/clock';
import { DeliveryStatus, isTerminal, type Job, NotificationStatus } from '../domain/job';
import { WEBHOOK_MAX_TOTAL_ATTEMPTS, webhookRedeliverySeconds } from '../domain/retry-policy';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { WebhookOutboxStore } from '../ports/webhook-outbox';
import type { WebhookTransport } from '../ports/webhook-transport';
import { chatCredentials, chatPoster, type ChatPoster } from './chat-post';
import { recordJobEvent } from './job-record';
import { batchOutcomes, type ChatMessage, summarizeOutcome } from './message';
import { acquireLease, historyOf, type OutboxLease, outboxKey } from './outbox';
import { planBacklog } from './rate-budget';
import type { ChatWebhook } from './webhook-config';

/**
 * Per-job chat messages through a webhook's outbox. The job table says what is owed (finished
 * jobs whose delivery to this webhook is pending); the outbox says what the platform allows.
 * The run holding the webhook's lease posts everything owed, oldest first, one by one while the
 * minute's budget covers the backlog, as one batched message when it does not, and records each
 * delivery on its job. Other runs come back shortly, usually to find their job already told.
 */

/** Waits this short are waited out in the run; longer ones come back as a delayed message. */
export const MAX_INLINE_WAIT_MS = 3_000;
/** Posts per run: each may take WEBHOOK_TIMEOUT_MS, and notify has other webhooks to serve. */
export const MAX_POSTS_PER_RUN = 8;
/** How soon a run that found the lease taken comes back (the holder usually tells its job too). */
const BUSY_RETRY_SECONDS = { min: 2, max: 15 } as const;

export interface ChatSenderDeps {
  readonly jobs: JobStore;
  readonly outbox: WebhookOutboxStore;
  readonly transport: WebhookTransport;
  readonly secrets: WebhookSecrets;
  /** The workflow's clock: job records. */
  readonly clock: Clock;
  /** Real time: signatures and the platform's rate limit, which counts real seconds. */
  readonly wallClock: Clock;
  readonly logger: Logger;
  readonly pause: (ms: number) => Promise<void>;
  readonly statusPageBaseUrl?: string | undefined;
  /** Who holds a lease: unique per run. */
  readonly owner: string;
}

export interface ChatDelivery {
  /** Still owed: ask again after this many seconds. Absent when the job's delivery is settled. */
  readonly retryInSeconds?: number | undefined;
}

const owes = (job: Job, policy: string, webhook: string): boolean =>
  job.policy === policy &&
  isTerminal(job.status) &&
  job.notification.status === NotificationStatus.Pending &&
  job.notification.eventId !== undefined &&
  job.notification.webhooks[webhook]?.status === DeliveryStatus.Pending;

const byFinish = (a: Job, b: Job): number => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id.localeCompare(b.id);

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

export const createChatSender = (deps: ChatSenderDeps) => {
  const { jobs, clock, logger } = deps;
  const wallMs = () => deps.wallClock.now().getTime();

  /** Everything this webhook owes, the run's own job included even if a listing lags behind. */
  const owed = async (job: Job, hook: ChatWebhook): Promise<Job[]> => {
    const listed = (await jobs.listInFlight()).filter((candidate) => owes(candidate, job.policy, hook.name));
    const own = listed.some((candidate) => candidate.id === job.id) ? undefined : await jobs.get(job.id);
    return [...listed, ...(own !== undefined && owes(own, job.policy, hook.name) ? [own] : [])].sort(byFinish);
  };

  const record = async (group: readonly Job[], hook: ChatWebhook, outcome: { readonly delivered: true } | { readonly error: string; readonly giveUp: boolean }) => {
    for (const job of group) {
      const eventId = job.notification.eventId ?? '';
      const attempts = job.notification.webhooks[hook.name]?.attempts ?? 0;
      const event =
        'delivered' in outcome
          ? ({ type: 'webhook.delivered', eventId, webhook: hook.name } as const)
          : ({ type: 'webhook.failed', eventId, webhook: hook.name, error: outcome.error, giveUp: outcome.giveUp || attempts + 1 >= WEBHOOK_MAX_TOTAL_ATTEMPTS } as const);
      await recordJobEvent(jobs, clock, job, event);
    }
  };

  const messageFor = (group: readonly Job[]): ChatMessage => {
    const summaries = group.map((job) => summarizeOutcome(job, { provider: job.provider, statusPageBaseUrl: deps.statusPageBaseUrl, now: clock.now() }));
    const [only] = summaries;
    return summaries.length === 1 && only !== undefined ? only : batchOutcomes(summaries, deps.statusPageBaseUrl);
  };

  /** Posts one message for `group`, records it on the jobs; answers how soon to come back, or undefined to go on. */
  const tell = async (group: readonly Job[], hook: ChatWebhook, poster: ChatPoster, lease: OutboxLease): Promise<ChatDelivery | undefined> => {
    const fields = { webhook: hook.name, kind: hook.kind, jobs: group.map((job) => job.id).slice(0, 20), count: group.length };
    const result = await poster.post(messageFor(group), lease);
    switch (result.kind) {
      case 'delivered':
        await record(group, hook, { delivered: true });
        logger.info(group.length === 1 ? 'chat message delivered' : 'chat messages delivered as one batch', fields);
        return undefined;
      case 'throttled':
        // The platform's silence, not the receiver failing: no attempt is counted against the jobs.
        logger.warn('chat webhook rate-limited us; holding its messages', { ...fields, reason: result.reason, afterSeconds: result.afterSeconds });
        return { retryInSeconds: Math.max(1, Math.ceil(result.afterSeconds)) };
      case 'failed': {
        await record(group, hook, { error: result.reason, giveUp: false });
        logger.warn('chat webhook failed, will retry', { ...fields, reason: result.reason });
        const attempts = Math.max(...group.map((job) => job.notification.webhooks[hook.name]?.attempts ?? 0)) + 1;
        return { retryInSeconds: webhookRedeliverySeconds(attempts) };
      }
      case 'refused':
        await record(group, hook, { error: result.reason, giveUp: true });
        logger.error('chat webhook refused the message; given up', { ...fields, reason: result.reason, sent: result.sent });
        return undefined;
    }
  };

  const drain = async (job: Job, hook: ChatWebhook, poster: ChatPoster, lease: OutboxLease): Promise<ChatDelivery> => {
    // Listed once: while this run holds the lease, nobody else tells this webhook's jobs.
    let pending = await owed(job, hook);
    let posts = 0;
    for (;;) {
      if (!pending.some((candidate) => candidate.id === job.id)) return {};
      const now = deps.wallClock.now();
      const plan = planBacklog(poster.channel.limits, historyOf(lease.doc), now, pending.length);
      if (plan.kind === 'idle') return {};
      if (plan.kind === 'wait') {
        const waitMs = plan.until.getTime() - now.getTime();
        if (waitMs > MAX_INLINE_WAIT_MS) return { retryInSeconds: Math.ceil(waitMs / 1000) };
        await deps.pause(waitMs);
        continue;
      }
      if (posts >= MAX_POSTS_PER_RUN) return { retryInSeconds: 1 };
      // One at a time while the budget covers the backlog (each post re-plans), all at once when not.
      const group = plan.kind === 'batch' ? pending : pending.slice(0, 1);
      posts += 1;
      const stop = await tell(group, hook, poster, lease);
      if (stop !== undefined) return stop;
      // Told, or given up on: either way no longer owed.
      pending = pending.filter((candidate) => !group.includes(candidate));
    }
  };

  return {
    /** Tells `job`'s outcome to a chat webhook, with whatever else the webhook owes. */
    async deliver(job: Job, hook: ChatWebhook): Promise<ChatDelivery> {
      const credentials = chatCredentials(job.policy, hook, deps.secrets);
      if ('problem' in credentials) {
        await record([job], hook, { error: credentials.problem, giveUp: true });
        logger.error('chat webhook misconfigured; given up', { jobId: job.id, webhook: hook.name, reason: credentials.problem });
        return {};
      }
      const key = outboxKey(job.policy, hook.name);
      const acquired = await acquireLease(deps.outbox, key, deps.owner, wallMs, logger);
      if (acquired.kind === 'busy') {
        logger.info('chat webhook busy with another run; asking again shortly', { jobId: job.id, webhook: hook.name });
        return { retryInSeconds: clamp(Math.ceil((acquired.untilMs - wallMs()) / 1000), BUSY_RETRY_SECONDS.min, BUSY_RETRY_SECONDS.max) };
      }
      try {
        return await drain(job, hook, chatPoster(hook, credentials, deps), acquired.lease);
      } finally {
        // An expired lease frees the webhook anyway; failing to give it back early only delays others.
        await acquired.lease.release().catch((error: unknown) => logger.warn('could not release a webhook outbox lease', { webhook: hook.name, error: String(error) }));
      }
    },
  };
};

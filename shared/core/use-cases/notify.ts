import { randomUUID } from 'node:crypto';
import { webhookKey, type WebhookSecrets } from '../config/load-policy-config';
import type { PolicyConfig, Webhook } from '../config/policy-config';
import { type Clock, secondsBetween } from '../domain/clock';
import { DeliveryStatus, type Job, NotificationStatus } from '../domain/job';
import {
  WEBHOOK_MAX_TOTAL_ATTEMPTS,
  WEBHOOK_TIMEOUT_MS,
  WEBHOOK_TRIES_PER_INVOCATION,
  webhookBackoffMs,
  webhookRedeliverySeconds,
} from '../domain/retry-policy';
import { buildNotification, signNotification } from '../domain/notification';
import { encodeMessage, NotificationRequestedV1 } from '../messages/messages';
import { createChatSender } from '../notifications/chat-sender';
import { createDigestSender } from '../notifications/digest-sender';
import { InMemoryWebhookOutbox } from '../notifications/in-memory-outbox';
import { recordJobEvent } from '../notifications/job-record';
import { isChatWebhook } from '../notifications/webhook-config';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { Queues } from '../ports/message-queue';
import type { WebhookOutboxStore } from '../ports/webhook-outbox';
import type { WebhookTransport } from '../ports/webhook-transport';
import { notificationMessage } from './job-writer';

export interface NotifyDeps {
  readonly config: PolicyConfig;
  readonly secrets: WebhookSecrets;
  readonly jobs: JobStore;
  readonly transport: WebhookTransport;
  /** Where a notification still pending is put back, delayed: the job's attempts decide, not the queue's redelivery limit. */
  readonly queues: Pick<Queues, 'notify'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Signs with real time, whatever clock the workflow runs on. */
  readonly wallClock: Clock;
  /** Waits between tries; injected so tests do not sleep. */
  readonly pause: (ms: number) => Promise<void>;
  /**
   * Chat webhooks' send history, lease and digest marks, shared by every notify run. A wiring
   * that gives none gets this process's memory: rate budgets then hold per process only.
   */
  readonly outbox?: WebhookOutboxStore | undefined;
  /** Names this run in outbox leases; injected by tests. */
  readonly runId?: string | undefined;
}

export interface NotifyOutcome {
  readonly jobId: string;
  readonly delivered: readonly string[];
  readonly gaveUp: readonly string[];
  readonly skipped?: string | undefined;
  /** Still pending (or a digest waiting): asked again after this many seconds. */
  readonly retryInSeconds?: number | undefined;
  /** Webhooks a digest went to in this run. */
  readonly digests?: readonly string[] | undefined;
}

/** Survives between invocations of one process (an FC instance), for wirings without a store. */
const processOutbox = new InMemoryWebhookOutbox();

/**
 * notify: tells a job's outcome to each of its policy's webhooks. The generic webhook gets a
 * signed NotificationV1, a few tries per invocation; chat webhooks get a message through their
 * outbox (rate budget, batching, one sender at a time). A webhook still failing is left pending
 * and the message asked for again later; one that keeps failing is given up on and recorded on
 * the job. Each run also sends the job's policy's digests that are due.
 */
export const createNotify = (deps: NotifyDeps) => {
  const { config, secrets, jobs, transport, clock, logger } = deps;
  const outbox = deps.outbox ?? processOutbox;
  const owner = deps.runId ?? randomUUID();
  const statusPageBaseUrl = config.statusPage?.baseUrl;
  const chat = createChatSender({ ...deps, outbox, owner, statusPageBaseUrl });
  const digests = createDigestSender({ ...deps, outbox, owner, statusPageBaseUrl, digest: config.digest });

  const policyOf = (name: string) => config.policies.find((p) => p.name === name);
  const webhookOf = (job: Job, name: string): Webhook | undefined => policyOf(job.policy)?.webhooks.find((hook) => hook.name === name);

  const deliverGeneric = async (job: Job, hook: Webhook, body: string, eventId: string): Promise<{ ok: true } | { ok: false; error: string }> => {
    const secret = secrets.get(webhookKey(job.policy, hook));
    if (secret === undefined) return { ok: false, error: `no secret for webhook ${hook.name}` };
    let lastError = 'not tried';
    for (let attempt = 1; attempt <= WEBHOOK_TRIES_PER_INVOCATION; attempt += 1) {
      // Receivers compare the timestamp with their own clock: it is the wall clock's, also when the
      // workflow runs on a simulator's faster clock.
      const timestamp = Math.floor(deps.wallClock.now().getTime() / 1000);
      const response = await transport.post({
        url: hook.url,
        body,
        timeoutMs: WEBHOOK_TIMEOUT_MS,
        allowLoopback: hook.allowInsecureLoopback,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'image-replicator/1',
          'x-image-replicator-event-id': eventId,
          'x-image-replicator-timestamp': String(timestamp),
          'x-image-replicator-signature': `v1=${signNotification(secret, timestamp, body)}`,
        },
      });
      if (response.ok) return { ok: true };
      lastError = response.status === undefined ? response.error : `HTTP ${response.status}: ${response.error}`;
      // A 4xx other than 408/429 will not get better by asking again.
      if (response.status !== undefined && response.status >= 400 && response.status < 500 && ![408, 429].includes(response.status)) break;
      if (attempt < WEBHOOK_TRIES_PER_INVOCATION) await deps.pause(webhookBackoffMs(attempt));
    }
    return { ok: false, error: lastError };
  };

  /**
   * Seconds a generic webhook that failed before still has to wait: the message may come back
   * sooner than its back-off (a chat webhook asked for less), and it is not to be hammered.
   */
  const backoffLeft = (job: Job, attempts: number): number => {
    if (attempts === 0 || job.notification.requestedAt === undefined) return 0;
    return webhookRedeliverySeconds(attempts) - secondsBetween(job.notification.requestedAt, clock.now());
  };

  /** Sends the policy's due digests; answers the delay a waiting digest asks for. */
  const runDigests = async (policyName: string): Promise<{ readonly sent: readonly string[]; readonly retryInSeconds?: number | undefined }> => {
    const policy = policyOf(policyName);
    if (policy === undefined) return { sent: [] };
    try {
      return await digests.maybeSend(policy);
    } catch (error) {
      // The outcome's own delivery is done and recorded; a digest problem must not redeliver it.
      logger.error('digest run failed', { policy: policyName, error: String(error) });
      return { sent: [] };
    }
  };

  /** A delayed copy of this message, to send a digest that had to wait. */
  const askAgain = async (message: NotificationRequestedV1, delaySeconds: number): Promise<void> => {
    await deps.queues.notify.send(encodeMessage(NotificationRequestedV1, message), { delaySeconds });
  };

  return async (message: NotificationRequestedV1): Promise<NotifyOutcome> => {
    let job = await jobs.get(message.jobId);
    const skip = async (reason: string): Promise<NotifyOutcome> => {
      logger.info('notification skipped', { jobId: message.jobId, eventId: message.eventId, reason });
      const digest = job === undefined ? { sent: [] } : await runDigests(job.policy);
      if (digest.retryInSeconds !== undefined) await askAgain(message, digest.retryInSeconds);
      return { jobId: message.jobId, delivered: [], gaveUp: [], skipped: reason, retryInSeconds: digest.retryInSeconds, digests: digest.sent };
    };
    if (job === undefined) return skip('no such job');
    if (job.notification.eventId !== message.eventId) return skip('the job has moved on to another outcome');
    if (job.notification.status !== NotificationStatus.Pending) return skip(`already ${job.notification.status}`);

    const body = JSON.stringify(buildNotification(job, clock.now()));
    const delivered: string[] = [];
    const gaveUp: string[] = [];
    const asks: number[] = [];
    let backingOff = false;
    for (const name of Object.keys(job.notification.webhooks)) {
      const delivery = job.notification.webhooks[name];
      if (delivery?.status !== DeliveryStatus.Pending) continue;
      const hook = webhookOf(job, name);
      if (hook !== undefined && isChatWebhook(hook)) {
        if (!hook.perJob) {
          // Told by the digest instead: settled now, so the job does not wait on it.
          job = await recordJobEvent(jobs, clock, job, { type: 'webhook.delivered', eventId: message.eventId, webhook: name });
          delivered.push(name);
          continue;
        }
        const result = await chat.deliver(job, hook);
        job = (await jobs.get(job.id)) ?? job;
        const after = job.notification.webhooks[name];
        if (after?.status === DeliveryStatus.Delivered) delivered.push(name);
        else if (after?.status === DeliveryStatus.GaveUp) gaveUp.push(name);
        else if (result.retryInSeconds !== undefined) asks.push(result.retryInSeconds);
        continue;
      }
      const waitLeft = backoffLeft(job, delivery.attempts);
      if (hook !== undefined && waitLeft > 0) {
        asks.push(waitLeft);
        backingOff = true;
        continue;
      }
      const result = hook === undefined ? { ok: false as const, error: `webhook ${name} is no longer configured` } : await deliverGeneric(job, hook, body, message.eventId);
      if (result.ok) {
        job = await recordJobEvent(jobs, clock, job, { type: 'webhook.delivered', eventId: message.eventId, webhook: name });
        delivered.push(name);
        logger.info('notification delivered', { jobId: job.id, eventId: message.eventId, webhook: name });
      } else {
        const giveUp = hook === undefined || delivery.attempts + 1 >= WEBHOOK_MAX_TOTAL_ATTEMPTS;
        job = await recordJobEvent(jobs, clock, job, { type: 'webhook.failed', eventId: message.eventId, webhook: name, error: result.error, giveUp });
        if (giveUp) gaveUp.push(name);
        else asks.push(webhookRedeliverySeconds(delivery.attempts + 1));
        logger.warn(giveUp ? 'webhook given up' : 'webhook failed, will retry', {
          jobId: job.id,
          eventId: message.eventId,
          webhook: name,
          attempts: delivery.attempts + 1,
          error: result.error,
        });
      }
    }

    const digest = await runDigests(job.policy);
    if (digest.retryInSeconds !== undefined) asks.push(digest.retryInSeconds);
    const outcome = { jobId: job.id, delivered, gaveUp, digests: digest.sent };
    if (job.notification.status === NotificationStatus.Pending) {
      // Asked again later by a message of its own, so a receiver outage ends in the job's record
      // (given up after WEBHOOK_MAX_TOTAL_ATTEMPTS) and never in the dead-letter queue. The
      // soonest any webhook asked for wins; a generic webhook waits out its own back-off anyway.
      const retryInSeconds = Math.max(1, Math.ceil(asks.length === 0 ? webhookRedeliverySeconds(1) : Math.min(...asks)));
      const next = notificationMessage(job);
      if (next !== undefined) await deps.queues.notify.send(next, { delaySeconds: retryInSeconds });
      // poll-status's safety net counts from here, so it does not send a second message meanwhile;
      // unless a webhook is waiting out its back-off, which counts from the same instant.
      if (!backingOff) job = await recordJobEvent(jobs, clock, job, { type: 'notification.requeued' });
      logger.info('notification pending, asked again later', { jobId: job.id, eventId: message.eventId, retryInSeconds });
      return { ...outcome, retryInSeconds };
    }
    if (digest.retryInSeconds !== undefined) await askAgain(message, digest.retryInSeconds);
    return digest.retryInSeconds === undefined ? outcome : { ...outcome, retryInSeconds: digest.retryInSeconds };
  };
};

import { webhookKey, type WebhookSecrets } from '../config/load-policy-config';
import type { PolicyConfig, Webhook } from '../config/policy-config';
import type { Clock } from '../domain/clock';
import { VersionConflictError } from '../domain/errors';
import { DeliveryStatus, type Job, NotificationStatus, pendingDeliveryAttempts } from '../domain/job';
import {
  WEBHOOK_MAX_TOTAL_ATTEMPTS,
  WEBHOOK_TIMEOUT_MS,
  WEBHOOK_TRIES_PER_INVOCATION,
  webhookBackoffMs,
  webhookRedeliverySeconds,
} from '../domain/retry-policy';
import { buildNotification, signNotification } from '../domain/notification';
import type { NotificationRequestedV1 } from '../messages/messages';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { Queues } from '../ports/message-queue';
import type { WebhookTransport } from '../ports/webhook-transport';
import { notificationMessage } from './job-writer';
import { tryAdvance } from '../domain/job-transitions';

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
}

export interface NotifyOutcome {
  readonly jobId: string;
  readonly delivered: readonly string[];
  readonly gaveUp: readonly string[];
  readonly skipped?: string | undefined;
  /** Still pending: asked again after this many seconds. */
  readonly retryInSeconds?: number | undefined;
}

/**
 * notify: posts a job's outcome to each of its policy's webhooks, signed, at most a few times per
 * invocation. A webhook still failing is left pending and the message redelivered later; one
 * that keeps failing is given up on and recorded on the job.
 */
export const createNotify = (deps: NotifyDeps) => {
  const { config, secrets, jobs, transport, clock, logger } = deps;

  const webhookOf = (job: Job, name: string): Webhook | undefined =>
    config.policies.find((p) => p.name === job.policy)?.webhooks.find((hook) => hook.name === name);

  /** Records a delivery outcome, re-reading once if a concurrent writer moved the job. */
  const record = async (job: Job, event: Parameters<typeof tryAdvance>[1]): Promise<Job> => {
    let current = job;
    for (let tries = 0; tries < 3; tries += 1) {
      const next = tryAdvance(current, event, clock.now());
      if (next === undefined) return current;
      try {
        return await jobs.update(next);
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        const fresh = await jobs.get(job.id);
        if (fresh === undefined) return current;
        current = fresh;
      }
    }
    return current;
  };

  const deliver = async (job: Job, hook: Webhook, body: string, eventId: string): Promise<{ ok: true } | { ok: false; error: string }> => {
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

  return async (message: NotificationRequestedV1): Promise<NotifyOutcome> => {
    let job = await jobs.get(message.jobId);
    const skip = (reason: string): NotifyOutcome => {
      logger.info('notification skipped', { jobId: message.jobId, eventId: message.eventId, reason });
      return { jobId: message.jobId, delivered: [], gaveUp: [], skipped: reason };
    };
    if (job === undefined) return skip('no such job');
    if (job.notification.eventId !== message.eventId) return skip('the job has moved on to another outcome');
    if (job.notification.status !== NotificationStatus.Pending) return skip(`already ${job.notification.status}`);

    const body = JSON.stringify(buildNotification(job, clock.now()));
    const delivered: string[] = [];
    const gaveUp: string[] = [];
    for (const [name, delivery] of Object.entries(job.notification.webhooks)) {
      if (delivery.status !== DeliveryStatus.Pending) continue;
      const hook = webhookOf(job, name);
      const result = hook === undefined ? { ok: false as const, error: `webhook ${name} is no longer configured` } : await deliver(job, hook, body, message.eventId);
      if (result.ok) {
        job = await record(job, { type: 'webhook.delivered', eventId: message.eventId, webhook: name });
        delivered.push(name);
        logger.info('notification delivered', { jobId: job.id, eventId: message.eventId, webhook: name });
      } else {
        const giveUp = hook === undefined || delivery.attempts + 1 >= WEBHOOK_MAX_TOTAL_ATTEMPTS;
        job = await record(job, { type: 'webhook.failed', eventId: message.eventId, webhook: name, error: result.error, giveUp });
        if (giveUp) gaveUp.push(name);
        logger.warn(giveUp ? 'webhook given up' : 'webhook failed, will retry', {
          jobId: job.id,
          eventId: message.eventId,
          webhook: name,
          attempts: delivery.attempts + 1,
          error: result.error,
        });
      }
    }
    if (job.notification.status === NotificationStatus.Pending) {
      // Asked again later by a message of its own, so a receiver outage ends in the job's record
      // (given up after WEBHOOK_MAX_TOTAL_ATTEMPTS) and never in the dead-letter queue. A failed
      // send is retryable: the queue redelivers this message instead.
      const retryInSeconds = webhookRedeliverySeconds(pendingDeliveryAttempts(job));
      const next = notificationMessage(job);
      if (next !== undefined) await deps.queues.notify.send(next, { delaySeconds: retryInSeconds });
      // poll-status's safety net counts from here, so it does not send a second message meanwhile.
      job = await record(job, { type: 'notification.requeued' });
      logger.info('notification pending, asked again later', { jobId: job.id, eventId: message.eventId, retryInSeconds });
      return { jobId: job.id, delivered, gaveUp, retryInSeconds };
    }
    return { jobId: job.id, delivered, gaveUp };
  };
};

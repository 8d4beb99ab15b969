import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState } from '../../shared/core/domain/image';
import { type Job, JobStatus, NotificationStatus } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { NotificationV1, verifyNotificationSignature } from '../../shared/core/domain/notification';
import { planJobs } from '../../shared/core/domain/policy';
import { WEBHOOK_MAX_TOTAL_ATTEMPTS, WEBHOOK_TRIES_PER_INVOCATION } from '../../shared/core/domain/retry-policy';
import type { WebhookRequest, WebhookResponse, WebhookTransport } from '../../shared/core/ports/webhook-transport';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { createNotify } from '../../shared/core/use-cases/notify';

const SECRET = 'a-webhook-secret-of-some-length';

class ScriptedTransport implements WebhookTransport {
  readonly requests: WebhookRequest[] = [];
  constructor(private readonly answers: WebhookResponse[] = []) {}
  async post(request: WebhookRequest): Promise<WebhookResponse> {
    await Promise.resolve();
    this.requests.push(request);
    return this.answers.shift() ?? { ok: true, status: 204 };
  }
}

describe('createNotify', () => {
  const config = testPolicyConfig();
  const secrets = resolveWebhookSecrets(config, { OPS_WEBHOOK_SECRET: SECRET });
  let jobs: InMemoryJobStore;
  let clock: ManualClock;
  let queues: ReturnType<typeof recordingQueues>;
  const pauses: number[] = [];

  const finishedJob = async (): Promise<Job> => {
    const planned = planJobs(config, { provider: 'alibaba', account: 'default' }, { id: 'm-1', region: 'cn-hangzhou', name: 'golden-1', state: ImageState.Available, sizeGiB: 20, tags: { role: 'golden' } })[0]!;
    let job = newJob(planned.id, planned.spec, ImageState.Available, clock.now());
    await jobs.putIfAbsent(job);
    for (const event of [
      { type: 'dispatch.claimed' as const },
      { type: 'copy.accepted' as const, handle: 'm-copy', destinationImageId: 'm-copy' },
      { type: 'copy.observed' as const, state: ImageState.Available },
    ]) {
      clock.advance(60_000);
      job = await jobs.update(advance(job, event, clock.now()));
    }
    return job;
  };

  const notifyWith = (transport: WebhookTransport) =>
    createNotify({ config, secrets, jobs, queues, transport, clock, wallClock: clock, logger: silentLogger, pause: async (ms) => void pauses.push(ms) });

  const messageFor = (job: Job) => ({ type: 'notification.requested' as const, version: 1 as const, jobId: job.id, eventId: job.notification.eventId! });

  beforeEach(() => {
    jobs = new InMemoryJobStore();
    queues = recordingQueues();
    clock = new ManualClock('2026-03-01T00:00:00Z');
    pauses.length = 0;
  });

  it('posts a signed notification describing the outcome and records the delivery', async () => {
    // Prepare
    const job = await finishedJob();
    const transport = new ScriptedTransport();
    // Act
    const outcome = await notifyWith(transport)(messageFor(job));
    // Assess
    const request = transport.requests[0]!;
    const body = NotificationV1.parse(JSON.parse(request.body));
    expect(outcome.delivered).toEqual(['ops']);
    expect(request.url).toBe('https://hooks.example.com/replication');
    expect(body).toMatchObject({ eventId: `${job.id}.r1.available`, type: 'replication.succeeded', policy: 'golden', destination: { imageId: 'm-copy', region: job.destination.region }, error: null });
    expect(body.timings.durationSeconds).toBe(180);
    expect(request.headers['x-image-replicator-event-id']).toBe(body.eventId);
    const signed = verifyNotificationSignature(SECRET, { timestamp: request.headers['x-image-replicator-timestamp'], signature: request.headers['x-image-replicator-signature'] }, request.body, clock.now());
    expect(signed).toBe(true);
    expect((await jobs.get(job.id))?.notification.status).toBe(NotificationStatus.Delivered);
  });

  it('delivers once: a duplicate message finds the notification delivered and posts nothing', async () => {
    const job = await finishedJob();
    const transport = new ScriptedTransport();
    await notifyWith(transport)(messageFor(job));
    const again = await notifyWith(transport)(messageFor(job));
    expect(again.skipped).toBe('already delivered');
    expect(transport.requests).toHaveLength(1);
  });

  it('retries a failing webhook with back-off, then asks again later with a delayed message of its own', async () => {
    // Prepare
    const job = await finishedJob();
    const transport = new ScriptedTransport(Array.from({ length: 5 }, () => ({ ok: false as const, status: 503, error: 'busy' })));
    // Act
    const outcome = await notifyWith(transport)(messageFor(job));
    // Assess
    expect(outcome).toMatchObject({ delivered: [], gaveUp: [], retryInSeconds: 30 });
    expect(queues.notify.sent).toEqual([{ body: JSON.stringify(messageFor(job)), delaySeconds: 30 }]);
    expect(transport.requests).toHaveLength(WEBHOOK_TRIES_PER_INVOCATION);
    expect(pauses).toEqual([200, 400]);
    const stored = await jobs.get(job.id);
    expect(stored?.notification.webhooks.ops).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 503: busy' });
  });

  it('does not hammer a webhook that refuses the request with a 4xx', async () => {
    const job = await finishedJob();
    const transport = new ScriptedTransport([{ ok: false, status: 401, error: 'bad signature' }]);
    const outcome = await notifyWith(transport)(messageFor(job));
    expect(outcome.retryInSeconds).toBe(30);
    expect(transport.requests).toHaveLength(1);
  });

  it('gives up on a webhook that keeps failing and records it on the job', async () => {
    const job = await finishedJob();
    const failing: WebhookTransport = { post: async () => ({ ok: false, error: 'connection refused' }) };
    const notify = notifyWith(failing);
    let outcome: { retryInSeconds?: number | undefined } | undefined;
    for (let i = 0; i < WEBHOOK_MAX_TOTAL_ATTEMPTS; i += 1) {
      // Each message comes back when it asked to: the webhook's back-off is waited out.
      clock.advance((outcome?.retryInSeconds ?? 0) * 1000);
      outcome = await notify(messageFor(job));
    }
    const stored = await jobs.get(job.id);
    expect(outcome).toMatchObject({ gaveUp: ['ops'] });
    expect(stored?.notification.status).toBe(NotificationStatus.GaveUp);
    expect(stored?.notification.webhooks.ops).toMatchObject({ status: 'gave_up', attempts: WEBHOOK_MAX_TOTAL_ATTEMPTS, lastError: 'connection refused' });
    expect(stored?.status).toBe(JobStatus.Available);
  });

  it('skips a message for an outcome the job has moved on from', async () => {
    const job = await finishedJob();
    const outcome = await notifyWith(new ScriptedTransport())({ ...messageFor(job), eventId: `${job.id}.r0.failed` });
    expect(outcome.skipped).toMatch(/moved on/);
  });
});

import { createJsonLogger } from '../../../shared/platform/logging/json-logger';
import { resolveWebhookSecrets } from '../../../shared/core/config/load-policy-config';
import { ManualClock } from '../../../shared/core/domain/clock';
import { ImageState } from '../../../shared/core/domain/image';
import type { Job } from '../../../shared/core/domain/job';
import { advance, newJob } from '../../../shared/core/domain/job-transitions';
import { planJobs } from '../../../shared/core/domain/policy';
import type { Dependencies, Wiring } from '../../../shared/platform/fc/dependencies';
import type { WebhookResponse, WebhookTransport } from '../../../shared/core/ports/webhook-transport';
import { FakeCopyProvider, fakeProviders } from '../../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../../fakes/in-memory-job-store';
import { RecordingQueue, recordingQueues } from '../../fakes/recording-queue';
import { testPolicyConfig } from '../../helpers/policy';

export const WEBHOOK_SECRET = 'fuzz-webhook-secret-0123456789';
export const GOLDEN_IMAGE = 'm-golden0001';

/** The handlers' world, in memory: one golden image, one finished job waiting for its notification. */
export interface FakeWorld {
  readonly wiring: Wiring;
  readonly images: FakeCopyProvider;
  readonly jobs: InMemoryJobStore;
  readonly deadLetters: RecordingQueue;
  readonly logLines: string[];
  readonly finishedJob: Job;
  readonly posts: string[];
}

export const createFakeWorld = async (): Promise<FakeWorld> => {
  const config = testPolicyConfig();
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const images = new FakeCopyProvider();
  const source = images.addImage({ id: GOLDEN_IMAGE, region: 'cn-hangzhou', name: 'golden-1', tags: { role: 'golden' } });
  const jobs = new InMemoryJobStore();
  const planned = planJobs(config, { provider: 'alibaba', account: 'default' }, source)[0]!;
  let job = newJob(planned.id, planned.spec, ImageState.Available, clock.now());
  await jobs.putIfAbsent(job);
  for (const event of [
    { type: 'dispatch.claimed' as const },
    { type: 'copy.accepted' as const, handle: 'm-copy0001', destinationImageId: 'm-copy0001' },
    { type: 'copy.observed' as const, state: ImageState.Available },
  ]) {
    clock.advance(60_000);
    job = await jobs.update(advance(job, event, clock.now()));
  }
  const logLines: string[] = [];
  const posts: string[] = [];
  const transport: WebhookTransport = {
    async post(request): Promise<WebhookResponse> {
      await Promise.resolve();
      posts.push(request.body);
      return { ok: true, status: 204 };
    },
  };
  const deadLetters = new RecordingQueue();
  const secrets = resolveWebhookSecrets(config, { OPS_WEBHOOK_SECRET: WEBHOOK_SECRET });
  const dependencies: Dependencies = {
    config,
    secrets,
    providers: fakeProviders(images),
    jobs,
    queues: recordingQueues(),
    deadLetters,
    transport,
    clock,
    wallClock: clock,
    logger: createJsonLogger({ level: 'debug', sink: (line) => logLines.push(line), secrets: [WEBHOOK_SECRET], clock: () => clock.now() }),
    pause: async () => undefined,
  };
  return { wiring: { dependencies: () => dependencies }, images, jobs, deadLetters, logLines, finishedJob: job, posts };
};

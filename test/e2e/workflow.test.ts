import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/webhook-receiver';
import { LocalRuntime } from '../../runtime/local-runtime';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { createProviders } from '../../shared/platform/providers';
import { systemClock } from '../../shared/core/domain/clock';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { createJsonLogger } from '../../shared/platform/logging/json-logger';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { JobStatus } from '../../shared/core/domain/job';
import type { Logger } from '../../shared/core/ports/logger';
import { createEcsSimulator, type EcsSimulator } from '../../sim/ecs-simulator';
import { ManualSimClock } from '../../sim/sim-clock';

const SECRET = 'e2e-webhook-secret-0123456789';
const ACCESS_KEY = { accessKeyId: 'LTAI-e2e', accessKeySecret: 'e2e-secret-value-xyz' };

const policy = (webhookUrl: string) => `
version: 1
maxConcurrentCopiesPerRegion: 5
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations:
      - region: cn-shanghai
      - region: cn-beijing
        encryption: { enabled: true, kmsKeyId: key-1 }
      - region: eu-central-1
    copyTimeout: 6h
    webhooks:
      - { name: ops, url: "${webhookUrl}", secretEnv: OPS_SECRET, allowInsecureLoopback: true }
`;

describe('the workflow end to end: real handlers, local runtime, ECS simulator over the real SDK', () => {
  let clock: ManualSimClock;
  let simulator: EcsSimulator;
  let receiver: WebhookReceiver;
  let runtime: LocalRuntime;
  let stateDir: string;
  const logLines: string[] = [];

  beforeEach(async () => {
    clock = new ManualSimClock('2026-11-01T00:00:00Z');
    simulator = await createEcsSimulator({
      clock,
      seed: {
        credentials: [ACCESS_KEY],
        regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'eu-central-1'],
        copy: { bandwidthMiBps: 50, overheadSeconds: 60 },
        images: [
          { region: 'cn-hangzhou', name: 'golden-a', sizeGiB: 20, tags: { role: 'golden' } },
          { region: 'cn-hangzhou', name: 'golden-b', sizeGiB: 60, tags: { role: 'golden' } },
          { region: 'cn-hangzhou', name: 'scratch', sizeGiB: 10, tags: { role: 'dev' } },
        ],
      },
    });
    receiver = await startWebhookReceiver({ secret: SECRET });
    stateDir = mkdtempSync(join(tmpdir(), 'ir-e2e-'));
    logLines.length = 0;
    runtime = newRuntime(createJsonLogger({ level: 'debug', sink: (line) => logLines.push(line), secrets: [SECRET] }));
  });

  afterEach(async () => {
    runtime.close();
    await receiver.close();
    await simulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** A runtime over the shared state folder, simulator and receiver: the same code `run` uses. */
  const newRuntime = (logger: Logger): LocalRuntime => {
    const config = parsePolicyConfig(policy(receiver.url), 'e2e');
    return new LocalRuntime({
      stateDir,
      config,
      secrets: resolveWebhookSecrets(config, { OPS_SECRET: SECRET }),
      providers: createProviders({ env: {}, config, alibabaDefault: explicitCredentials(ACCESS_KEY), ecsEndpoint: { endpoint: simulator.endpoint, protocol: 'http' }, wallClock: systemClock }),
      transport: guardedWebhookTransport,
      clock,
      logger,
      pause: async () => undefined,
    });
  };

  /** Advances virtual time a minute per step, as the poll timer would see it, until idle. */
  const runToIdle = async (maxSteps = 500): Promise<number> => {
    for (let step = 1; step <= maxSteps; step += 1) {
      await runtime.step();
      const snapshot = await runtime.snapshot();
      if (snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0) return step;
      clock.advanceSeconds(60);
    }
    throw new Error('the workflow did not settle');
  };

  it('replicates every selected image to every destination exactly once and notifies each outcome once', async () => {
    // Prepare
    const [first] = simulator.inspect.images('cn-hangzhou').filter((image) => image.name === 'golden-a');
    // Act
    await runtime.imageCreated('cn-hangzhou', first!.id);
    await runtime.sweep();
    await runToIdle();
    // Assess
    const jobs = await runtime.jobs.list();
    expect(jobs).toHaveLength(6);
    expect(jobs.every((job) => job.status === JobStatus.Available)).toBe(true);
    const counts = simulator.inspect.copyCounts();
    expect(counts).toHaveLength(6);
    expect(counts.every((c) => c.copies === 1)).toBe(true);
    expect(simulator.inspect.orphanCopies(jobs.map((j) => j.destinationImageId ?? ''))).toEqual([]);
    expect(new Set(receiver.received.map((n) => n.eventId)).size).toBe(6);
    expect(receiver.received.every((n) => n.body.type === 'replication.succeeded')).toBe(true);
    expect(receiver.rejected()).toBe(0);
    const encrypted = jobs.find((j) => j.destination.region === 'cn-beijing');
    expect(simulator.inspect.image(encrypted!.destinationImageId!)?.encrypted).toBe(true);
  });

  it('never runs more than one copy of a source image at a time', async () => {
    await runtime.sweep();
    let maxPerSource = 0;
    for (let step = 0; step < 400; step += 1) {
      await runtime.step();
      const active = simulator.inspect.activeCopyTasks('cn-hangzhou');
      const perSource = new Map<string, number>();
      for (const task of active) perSource.set(task.sourceImageId, (perSource.get(task.sourceImageId) ?? 0) + 1);
      maxPerSource = Math.max(maxPerSource, ...perSource.values(), 0);
      const snapshot = await runtime.snapshot();
      if (snapshot.inFlightJobs === 0) break;
      clock.advanceSeconds(60);
    }
    expect(maxPerSource).toBe(1);
    expect((await runtime.jobs.list()).every((job) => job.status === JobStatus.Available)).toBe(true);
  });

  it('fails a request for an unknown image without creating a job, and sets a malformed message aside', async () => {
    await runtime.startCopyQueue.send(JSON.stringify({ type: 'replication.requested', version: 1, origin: 'test', source: { region: 'cn-hangzhou', imageId: 'm-doesnotexist0' } }));
    await runtime.startCopyQueue.send('{"type":"replication.requested","version":1}');
    await runtime.step();
    expect(await runtime.jobs.list()).toEqual([]);
    expect((await runtime.snapshot()).deadLetters).toBe(1);
    expect(logLines.some((line) => line.includes('dead-letter') && line.includes('origin'))).toBe(true);
  });

  it('resumes from the table after a stop: a second runtime over the same state finishes the work', async () => {
    await runtime.sweep();
    await runtime.step();
    clock.advanceSeconds(60);
    runtime.close();
    runtime = newRuntime(createJsonLogger({ sink: () => undefined }));
    await runToIdle();
    expect((await runtime.jobs.list()).map((j) => j.status)).toEqual(Array(6).fill(JobStatus.Available));
    expect(simulator.inspect.copyCounts().every((c) => c.copies === 1)).toBe(true);
  });

  it('never logs the access key secret or the webhook secret', async () => {
    await runtime.sweep();
    await runToIdle();
    const all = logLines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(ACCESS_KEY.accessKeySecret);
  });
});

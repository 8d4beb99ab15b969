import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WebhookReceiver, startWebhookReceiver } from '../../examples/webhook-receiver';
import { LocalRuntime } from '../../runtime/local-runtime';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { systemClock } from '../../shared/core/domain/clock';
import { pairKey } from '../../shared/core/domain/copy-speed';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { DEFAULT_ACCOUNT, ProviderId } from '../../shared/core/domain/provider';
import type { Logger } from '../../shared/core/ports/logger';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { createJsonLogger, silentLogger } from '../../shared/platform/logging/json-logger';
import { createPrune } from '../../shared/core/use-cases/prune';
import { createProviders } from '../../shared/platform/providers';
import { SqliteSpeedBook } from '../../shared/stores/sqlite/sqlite-speed-book';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { FaultKind, type ImsSimulator, createImsSimulator } from '../../sim/huawei/ims-simulator';
import { IMS_RETRY_ATTEMPTS } from '../../shared/providers/huawei-ims/client';
import { ManualSimClock } from '../../sim/sim-clock';

const SECRET = 'e2e-huawei-webhook-secret-0123456789';
const HUAWEI_KEYS = { accessKeyId: 'HWE2EAK000000000000001', accessKeySecret: 'hw-e2e-secret-value-4f1a' };
const SOURCE = 'cn-north-4';
const DESTINATIONS = ['cn-east-3', 'ap-southeast-1'] as const;
const AGENCY = 'ims_admin_agency';
/** Another tenant's project in ap-southeast-1 that the copies there are shared with. */
const PARTNER_PROJECT = 'a1'.repeat(16);
/** Another tenant's project in cn-north-4 that the golden image itself is shared with. */
const SOURCE_PARTNER_PROJECT = 'd4'.repeat(16);
/** A copy of the 10 GiB golden image takes 30 s of INIT and 1124 s of copying; two hours is a stall. */
const COPY_TIMEOUT = '2h';

const policy = (webhookUrl: string, projects: Readonly<Record<string, string>>, extra = '') => `
version: 1
policies:
  - name: golden-huawei
    provider: huawei
    huawei: { agencyName: ${AGENCY} }${extra}
    source: { region: ${SOURCE}, select: { tags: { role: golden } } }
    destinations:
      - region: ${DESTINATIONS[0]}
      - region: ${DESTINATIONS[1]}
        tags: { compliance: apac }
        shareWith: ["${PARTNER_PROJECT}"]
    copyTimeout: ${COPY_TIMEOUT}
    maxAttempts: 3
    retention: { keepNewest: 1, groupBy: name-prefix, namePrefixes: [golden-web] }
    webhooks:
      - { name: ops, url: "${webhookUrl}", secretEnv: OPS_SECRET, allowInsecureLoopback: true }
huaweiProjects:
${Object.entries(projects).map(([region, id]) => `  ${region}: ${id}`).join('\n')}
`;

describe('the workflow end to end on Huawei Cloud: real handlers, local runtime, IMS simulator over our signed client', () => {
  let clock: ManualSimClock;
  let simulator: ImsSimulator;
  let receiver: WebhookReceiver;
  let runtime: LocalRuntime;
  let stateDir: string;
  const logLines: string[] = [];

  beforeEach(async () => {
    clock = new ManualSimClock('2026-11-01T00:00:00Z');
    simulator = await createImsSimulator({
      clock,
      seed: {
        credentials: [HUAWEI_KEYS],
        regions: [SOURCE, ...DESTINATIONS],
        copy: { bandwidthMiBps: 10, overheadSeconds: 100, initSeconds: 30 },
        agency: { name: AGENCY },
        images: [
          { region: SOURCE, name: 'golden-web', sizeGiB: 10, tags: { role: 'golden' } },
          { region: SOURCE, name: 'scratch', sizeGiB: 10, tags: { role: 'dev' } },
        ],
      },
    });
    receiver = await startWebhookReceiver({ secret: SECRET });
    stateDir = mkdtempSync(join(tmpdir(), 'ir-e2e-huawei-'));
    logLines.length = 0;
    runtime = newRuntime(createJsonLogger({ level: 'debug', sink: (line) => logLines.push(line), secrets: [SECRET, HUAWEI_KEYS.accessKeySecret] }));
  });

  afterEach(async () => {
    runtime.close();
    await receiver.close();
    await simulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Retention over the runtime's table, with its providers: what `prune` runs. */
  let pruneWith: (logger: Logger) => ReturnType<typeof createPrune>;

  /** A runtime wired as `run` wires the embedded IMS simulator: default Huawei account, endpoint template. */
  const newRuntime = (logger: Logger, extra = ''): LocalRuntime => {
    const config = parsePolicyConfig(policy(receiver.url, simulator.projectIds, extra), 'e2e-huawei');
    const providers = createProviders({
      env: {},
      config,
      alibabaDefault: explicitCredentials({ accessKeyId: 'LTAI-unused', accessKeySecret: 'unused' }),
      huaweiDefault: HUAWEI_KEYS,
      huaweiEndpointTemplate: simulator.endpointTemplate,
      // The client's quick retries are recorded by the simulator, never slept.
      huaweiTuning: { retry: { pause: async () => undefined } },
      wallClock: systemClock,
    });
    pruneWith = (pruneLogger) =>
      createPrune({
        config,
        providers,
        jobs: runtime.jobs,
        queues: { startCopy: runtime.startCopyQueue, notify: runtime.notifyQueue, poll: runtime.pollQueue },
        clock,
        logger: pruneLogger,
      });
    return new LocalRuntime({
      stateDir,
      config,
      secrets: resolveWebhookSecrets(config, { OPS_SECRET: SECRET }),
      providers,
      transport: guardedWebhookTransport,
      clock,
      logger,
      pause: async () => undefined,
    });
  };

  const golden = () => {
    const [image] = simulator.inspect.images(SOURCE).filter((candidate) => candidate.name === 'golden-web');
    if (image === undefined) throw new Error('no golden image');
    return image;
  };

  /** What the console or an event rule sends when an image is made: a versioned request naming the provider. */
  const announce = (imageId: string) =>
    runtime.startCopyQueue.send(
      JSON.stringify({ type: 'replication.requested', version: 2, origin: 'e2e-huawei', source: { provider: ProviderId.Huawei, account: DEFAULT_ACCOUNT, region: SOURCE, imageId } }),
    );

  /** Advances virtual time a minute per step, as the poll timer would see it, until idle. */
  const runToIdle = async (maxSteps = 400): Promise<number> => {
    for (let step = 1; step <= maxSteps; step += 1) {
      await runtime.step();
      const snapshot = await runtime.snapshot();
      if (snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0) return step;
      clock.advanceSeconds(60);
    }
    throw new Error('the workflow did not settle');
  };

  /** The golden image copied everywhere, then (an hour on) its second version: the first's jobs, and the second image. */
  const twoVersionsCopied = async () => {
    await announce(golden().id);
    await runToIdle();
    const older = await runtime.jobs.list();
    clock.advanceSeconds(3600);
    const newer = simulator.inspect.addImage({ region: SOURCE, name: 'golden-web-2', sizeGiB: 10, tags: { role: 'golden' } });
    await announce(newer.id);
    await runToIdle();
    return { older, newer };
  };

  const jobIn = (jobs: readonly Job[], region: string): Job => {
    const job = jobs.find((candidate) => candidate.destination.region === region);
    if (job === undefined) throw new Error(`no job for ${region}`);
    return job;
  };
  /** Images of the job's name in its destination that are not deleted. */
  const liveCopies = (job: Job) => simulator.inspect.images(job.destination.region).filter((image) => image.name === job.destination.imageName && image.status !== 'deleted');

  it('copies an announced image to every destination once, tags each copy there and notifies each outcome once, signed', async () => {
    // Prepare
    const image = golden();

    // Act
    await announce(image.id);
    // The nightly sweep finds the same image again (and not the scratch one): still one job per destination.
    await runtime.sweep();
    await runToIdle();

    // Assess
    const jobs = await runtime.jobs.list();
    expect(jobs.map((job) => [job.destination.region, job.status]).sort()).toEqual(DESTINATIONS.map((region) => [region, JobStatus.Available]).sort());
    for (const job of jobs) {
      expect(simulator.inspect.copiesCreated(job.destination.region, job.destination.imageName)).toBe(1);
      expect(simulator.inspect.image(job.destinationImageId ?? '')).toMatchObject({
        status: 'active',
        originalImageId: image.id,
        tags: { 'image-replicator_managed': 'true', 'image-replicator_job': job.id, 'image-replicator_source-image': image.id, 'image-replicator_source-region': SOURCE },
      });
    }
    expect(simulator.inspect.image(jobIn(jobs, 'ap-southeast-1').destinationImageId ?? '')?.tags).toMatchObject({ compliance: 'apac' });
    // Shared with the partner project there (IMS members; the partner accepts in its own console)
    expect(jobIn(jobs, 'ap-southeast-1').sharedWith).toEqual([PARTNER_PROJECT]);
    expect(simulator.inspect.image(jobIn(jobs, 'ap-southeast-1').destinationImageId ?? '')?.members).toEqual([PARTNER_PROJECT]);
    expect(simulator.inspect.image(jobIn(jobs, 'cn-east-3').destinationImageId ?? '')?.members).toEqual([]);
    // Its notification says the partner still has to accept the share; the other's says nothing of shares
    const destinationOf = (region: string) => receiver.received.find((n) => n.body.jobId === jobIn(jobs, region).id)?.body.destination as Record<string, unknown> | undefined;
    expect(destinationOf('ap-southeast-1')).toMatchObject({ sharedWith: [PARTNER_PROJECT], shareAcceptance: 'pending' });
    expect(destinationOf('cn-east-3')).not.toHaveProperty('shareAcceptance');
    expect(new Set(receiver.received.map((n) => n.eventId)).size).toBe(2);
    expect(receiver.received.map((n) => [n.body.type, n.body.jobId]).sort()).toEqual(jobs.map((job) => ['replication.succeeded', job.id]).sort());
    expect(receiver.rejected()).toBe(0);
    expect(simulator.inspect.copyRecords().map((record) => record.sourceImageId)).toEqual([image.id, image.id]);
  });

  it('deletes a copy that fails and tries again, ending with one good copy', async () => {
    // Prepare
    simulator.inspect.failNextCopies(1);

    // Act
    await announce(golden().id);
    await runToIdle();

    // Assess
    const jobs = await runtime.jobs.list();
    expect(jobs.every((job) => job.status === JobStatus.Available)).toBe(true);
    const retried = jobs.filter((job) => job.attempt === 2);
    expect(retried).toHaveLength(1);
    for (const job of jobs) {
      expect(simulator.inspect.copiesCreated(job.destination.region, job.destination.imageName)).toBe(job.attempt);
      expect(liveCopies(job).map((copy) => [copy.id, copy.status])).toEqual([[job.destinationImageId, 'active']]);
    }
    expect(receiver.received.every((n) => n.body.type === 'replication.succeeded')).toBe(true);
  });

  it('never makes a second copy when the answer to cross_region_copy is lost', async () => {
    // Prepare
    simulator.faults.injectNext('CopyImageCrossRegion', FaultKind.LostAnswer);

    // Act
    await announce(golden().id);
    await runToIdle();

    // Assess
    const jobs = await runtime.jobs.list();
    expect(simulator.faults.counts().lostAnswer).toBe(1);
    expect(jobs.every((job) => job.status === JobStatus.Available)).toBe(true);
    for (const job of jobs) expect(simulator.inspect.copiesCreated(job.destination.region, job.destination.imageName)).toBe(1);
    expect(new Set(receiver.received.map((n) => n.eventId)).size).toBe(2);
  });

  it('times out a copy that runs past its timeout: IMS cannot stop it, so it is watched, deleted when it ends, and only then told', async () => {
    // Prepare
    simulator.inspect.stallNextCopies(1);
    await announce(golden().id);

    // Act: long past the timeout, the stalled copy still runs; then it ends after all
    for (let step = 0; step < 200 && !(await runtime.jobs.list()).some((job) => job.status === JobStatus.Stopping); step += 1) {
      await runtime.step();
      clock.advanceSeconds(60);
    }
    const stopping = (await runtime.jobs.list()).find((job) => job.status === JobStatus.Stopping);
    const toldWhileStopping = receiver.received.map((n) => n.body.type).sort();
    const runningWhileStopping = simulator.inspect.runningCopies();
    simulator.inspect.resumeStalledCopies();
    await runToIdle();

    // Assess
    expect(stopping).toBeDefined();
    expect(runningWhileStopping).toBe(1);
    expect(toldWhileStopping).toEqual(['replication.succeeded']);
    expect(logLines.some((line) => line.includes('waiting for a copy the provider cannot stop') || line.includes('stopping a copy past its timeout'))).toBe(true);
    const jobs = await runtime.jobs.list();
    expect(jobs.map((job) => job.status).sort()).toEqual([JobStatus.Available, JobStatus.TimedOut]);
    const timedOut = jobIn(jobs, stopping!.destination.region);
    expect(timedOut.lastError?.code).toBe('CopyTimedOut');
    expect(liveCopies(timedOut)).toEqual([]);
    expect(receiver.received.map((n) => n.body.type).sort()).toEqual(['replication.succeeded', 'replication.timed_out']);
  });

  it('records each copy\'s speed by IMS\'s own clock when the first look at it comes long after its end', async () => {
    // Prepare: the copies start; nothing looks at them again for two hours (a long outage of the
    // timer), though each took 30 s of INIT and 1124 s of copying
    await announce(golden().id);
    await runtime.step();
    const started = await runtime.jobs.list();
    clock.advanceSeconds(2 * 3600);

    // Act
    await runtime.step();

    // Assess: 10 GiB in 1154 s, not in two hours
    const speeds = await new SqliteSpeedBook(runtime.db).readSpeeds(`${ProviderId.Huawei}/${DEFAULT_ACCOUNT}`);
    expect(started.map((job) => job.status)).toEqual([JobStatus.Copying, JobStatus.Copying]);
    expect((await runtime.jobs.list()).map((job) => job.status)).toEqual([JobStatus.Available, JobStatus.Available]);
    for (const region of DESTINATIONS) expect(speeds[pairKey(SOURCE, region)]?.gibPerHour).toBeCloseTo((10 * 3600) / 1154, 1);
  });

  it('deletes the copy retention no longer keeps, and keeps one a cloud server runs from', async () => {
    // Prepare: two versions of the golden image copied to both regions; a server in cn-east-3
    // runs from the older copy there
    const { older, newer } = await twoVersionsCopied();
    const inUse = jobIn(older, DESTINATIONS[0]);
    const unused = jobIn(older, DESTINATIONS[1]);
    simulator.inspect.launchServer(inUse.destination.region, inUse.destinationImageId ?? '');

    // Act
    const outcome = await pruneWith(silentLogger)({ dryRun: false });

    // Assess
    expect(outcome).toMatchObject({ deleted: 1, refused: 1, deprecated: 0 });
    expect(await runtime.jobs.get(unused.id)).toMatchObject({ status: JobStatus.Pruned });
    expect(simulator.inspect.image(unused.destinationImageId ?? '')?.status ?? 'gone').toMatch(/^(deleted|gone)$/);
    expect(await runtime.jobs.get(inUse.id)).toMatchObject({ status: JobStatus.Available, lastError: { code: 'CopyInUse' } });
    expect(simulator.inspect.image(inUse.destinationImageId ?? '')?.status).toBe('active');
    const kept = (await runtime.jobs.list()).filter((job) => job.source.imageId === newer.id);
    expect(kept.map((job) => [job.status, simulator.inspect.image(job.destinationImageId ?? '')?.status])).toEqual([
      [JobStatus.Available, 'active'],
      [JobStatus.Available, 'active'],
    ]);
    expect(simulator.requests.count('NovaListServers')).toBe(2);
    // The shared copy was taken off its member project before it went
    expect(simulator.requests.recent('BatchDeleteMembers').map((request) => request.params['body.projects'])).toEqual([JSON.stringify([PARTNER_PROJECT])]);
  });

  it('keeps a copy an Auto Scaling configuration would launch, and deletes it once the configuration is gone', async () => {
    // Prepare: two versions copied; an AS configuration in cn-east-3 makes a data disk from the older copy there
    const { older } = await twoVersionsCopied();
    const launched = jobIn(older, DESTINATIONS[0]);
    const configId = simulator.inspect.addScalingConfig(launched.destination.region, { imageRef: '00000000-0000-4000-8000-000000000000', dataDiskImageIds: [launched.destinationImageId ?? ''] });

    // Act
    const first = await pruneWith(silentLogger)({ dryRun: false });
    const kept = await runtime.jobs.get(launched.id);
    simulator.inspect.removeScalingConfig(configId);
    const second = await pruneWith(silentLogger)({ dryRun: false });

    // Assess
    expect(first).toMatchObject({ deleted: 1, refused: 1 });
    expect(second).toMatchObject({ deleted: 1, refused: 0 });
    expect(kept).toMatchObject({ status: JobStatus.Available, lastError: { code: 'CopyInUse', message: `in use by AS configuration "${configId}"; it is kept` } });
    expect(simulator.requests.recent('ListScalingConfigs').map((request) => request.status)).toEqual([200, 200, 200]);
    const job = await runtime.jobs.get(launched.id);
    expect(job).toMatchObject({ status: JobStatus.Pruned });
    expect(simulator.inspect.image(launched.destinationImageId ?? '')?.status ?? 'gone').toMatch(/^(deleted|gone)$/);
  });

  it('keeps a copy retention would delete while ECS cannot say whether a server runs from it, goes on with the others, and deletes it once ECS answers', async () => {
    // Prepare: two versions copied; ECS then fails every try of the next in-use question
    const { older } = await twoVersionsCopied();
    simulator.faults.injectNext('NovaListServers', FaultKind.ServiceUnavailable, IMS_RETRY_ATTEMPTS);

    // Act
    const outcome = await pruneWith(silentLogger)({ dryRun: false });
    const during = await Promise.all(older.map(async (job) => [(await runtime.jobs.get(job.id))?.status, simulator.inspect.image(job.destinationImageId ?? '')?.status]));
    await runtime.poll();

    // Assess: the copy ECS could not answer for stayed (its deletion begun), the other went; the
    // next poll went on with the first
    expect(outcome).toMatchObject({ deleted: 1, refused: 0 });
    expect(outcome.deferred).toHaveLength(1);
    const waiting = older.findIndex((job) => job.id === outcome.deferred[0]);
    expect(during[waiting]).toEqual([JobStatus.Pruning, 'active']);
    const after = await Promise.all(older.map(async (job) => (await runtime.jobs.get(job.id))?.status));
    expect(after).toEqual([JobStatus.Pruned, JobStatus.Pruned]);
    for (const job of older) expect(simulator.inspect.image(job.destinationImageId ?? '')?.status ?? 'gone').toMatch(/^(deleted|gone)$/);
  });

  it('shares the source image itself in its region with another tenant, without a copy', async () => {
    // Prepare: the policy also shares the golden image in cn-north-4 with a partner project there
    runtime.close();
    runtime = newRuntime(silentLogger, `\n    shareInSourceRegion: ["${SOURCE_PARTNER_PROJECT}"]`);

    // Act
    await announce(golden().id);
    await runToIdle();

    // Assess
    const jobs = await runtime.jobs.list();
    const shareOnly = jobs.find((job) => job.shareOnly === true);
    expect(jobs.map((job) => job.status)).toEqual([JobStatus.Available, JobStatus.Available, JobStatus.Available]);
    expect(shareOnly).toMatchObject({ destination: { region: SOURCE }, destinationImageId: golden().id, sharedWith: [SOURCE_PARTNER_PROJECT] });
    expect(simulator.inspect.image(golden().id)?.members).toEqual([SOURCE_PARTNER_PROJECT]);
    expect(simulator.inspect.copyRecords()).toHaveLength(2);
  });

  it('never logs the Huawei secret key or the webhook secret', async () => {
    // Act
    await announce(golden().id);
    await runToIdle();

    // Assess
    const all = logLines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(HUAWEI_KEYS.accessKeySecret);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationV1 } from '../../shared/core/domain/notification';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/webhook-receiver';
import { buildFunctions, FUNCTIONS, type FunctionName } from '../../scripts/build';
import { ManualClock } from '../../shared/core/domain/clock';
import { JobStatus } from '../../shared/core/domain/job';
import type { MnsMessageQueue } from '../../shared/stores/mns/mns-message-queue';
import { TablestoreJobStore } from '../../shared/stores/tablestore/tablestore-job-store';
import { createEcsSimulator, type EcsSimulator } from '../../sim/ecs-simulator';
import { ManualSimClock } from '../../sim/sim-clock';
import { MnsWireServer } from '../fakes/mns-wire/mns-wire-server';
import { TablestoreWireFake } from '../fakes/tablestore-wire/server';
import { ROOT } from '../deploy/s-preview';
import { BundleProcess, baseFunctionEnv, DRIVER, type Invocation, QUEUES, nightOfBundles, queueConsumers, queueEvent, STS } from './bundle-harness';

const WEBHOOK_SECRET = 'bundle-e2e-webhook-secret-0123';
const STATUS_TOKEN = 'bundle-e2e-status-token-0123456789';

/**
 * The deployed artifact end to end: `npm run build`'s bundles, each in its own Node process, against
 * the Tablestore and MNS wire fakes and the ECS simulator, all over 127.0.0.1. What FC would run is
 * what is tested: a bundle that cannot write one Tablestore row fails here.
 */
describe('the built bundles replicate end to end over wire fakes', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'bundles-e2e-'));
  const driver = join(outDir, 'driver.cjs');
  let tablestore: TablestoreWireFake;
  let mns: MnsWireServer;
  let simulator: EcsSimulator;
  let simClock: ManualSimClock;
  let receiver: WebhookReceiver;
  let bundles: Record<FunctionName, BundleProcess>;
  let consumers: Record<'startCopy' | 'notify' | 'poll' | 'deadLetters', MnsMessageQueue>;
  const start = new Date();
  const mnsClock = new ManualClock(start);
  let requests = 0;

  beforeAll(async () => {
    await buildFunctions({ root: ROOT, outDir });
    writeFileSync(driver, DRIVER);
    tablestore = await TablestoreWireFake.start({ instanceName: 'replicator', ...STS, now: () => simClock.now() });
    mns = new MnsWireServer({ ...STS, clock: mnsClock });
    const { endpoint: mnsEndpoint } = await mns.start();
    Object.values(QUEUES).forEach((name) => mns.createQueue(name));
    simClock = new ManualSimClock(start);
    simulator = await createEcsSimulator({
      clock: simClock,
      wallClock: simClock,
      seed: {
        credentials: [STS],
        regions: ['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1'],
        images: [{ region: 'cn-hangzhou', name: 'golden-bundle', tags: { role: 'golden' }, disks: [{ type: 'system', sizeGiB: 20 }, { type: 'data', sizeGiB: 10 }] }],
        // The documented ECS: DeleteImage leaves the image's snapshots, which retention deletes itself.
        quirks: { imageSnapshotsOnDelete: 'keep' },
      },
    });
    receiver = await startWebhookReceiver({ secret: WEBHOOK_SECRET, now: () => simClock.now().getTime() / 1000 });
    await new TablestoreJobStore({ endpoint: tablestore.endpoint, instanceName: 'replicator', tableName: 'jobs', credentials: STS, now: () => simClock.now() }).ensureTable();
    const env = {
      ...baseFunctionEnv({
        tablestoreEndpoint: tablestore.endpoint,
        mnsEndpoint,
        policy: `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }, { region: ap-southeast-1 }]
    retention: { keepNewest: 1, groupBy: name-prefix, namePrefixes: [golden-bundle] }
    webhooks:
      - { name: ops, url: "${receiver.url}", secretEnv: OPS_WEBHOOK_SECRET, allowInsecureLoopback: true }
      # A chat webhook's daily digest: its URL is not WeCom's, so the digest is given up without a
      # post (no network), and its outbox (lease, digest mark) is written to the table.
      - { name: wx, kind: wecom, urlEnv: WX_URL, perJob: false, digest: daily }
`,
      }),
      IMAGE_REPLICATOR_ECS_ENDPOINT: simulator.url,
      OPS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      WX_URL: 'https://127.0.0.1/not-a-wecom-webhook',
      IMAGE_REPLICATOR_STATUS_TOKEN: STATUS_TOKEN,
    };
    const started = await Promise.all(FUNCTIONS.map((fn) => BundleProcess.start(driver, join(outDir, fn), env)));
    bundles = Object.fromEntries(FUNCTIONS.map((fn, index) => [fn, started[index]])) as Record<FunctionName, BundleProcess>;
    consumers = queueConsumers(mnsEndpoint);
  }, 120_000);

  afterAll(async () => {
    for (const bundle of Object.values(bundles ?? {})) bundle.stop();
    await receiver?.close();
    await simulator?.close();
    await mns?.close();
    await tablestore?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  const invoke = async (fn: FunctionName, event: unknown): Promise<Invocation> => bundles[fn].invoke(event, `bundle-req-${(requests += 1)}`, simClock.now());
  /** Virtual time moves for everything at once: the simulator, the queues and the bundles. */
  const advance = (seconds: number) => {
    simClock.advanceSeconds(seconds);
    mnsClock.set(simClock.now());
  };

  /** FC's MNS trigger with IsBase64Decode: CloudEvents carrying the plain body; success acknowledges. */
  const failedLooks: string[] = [];
  const deliver = async (queue: MnsMessageQueue, fn: FunctionName): Promise<number> => {
    const messages = await queue.receive(10, 60);
    if (messages.length === 0) return 0;
    const answer = await invoke(fn, queueEvent(messages));
    if (fn === 'poll-status' && !answer.ok) failedLooks.push(answer.error ?? 'failed');
    if (answer.ok) await Promise.all(messages.map((m) => queue.ack(m.receiptHandle)));
    return messages.length;
  };

  it('sweeps into the table, advances the copies, and notifies, each from its bundle', async () => {
    // Prepare
    const timer = (name: string) => ({ triggerTime: simClock.now().toISOString(), triggerName: name, payload: '' });
    // Act
    const sweep = await invoke('start-copy', timer('nightly-sweep'));
    const polls: Invocation[] = [];
    let looks = 0;
    // A minute at a time, as the timer ticks; the looks poll-status schedules come due in between.
    for (let minute = 0; minute < 120 && new Set(receiver.received.map((n) => n.eventId)).size < 2; minute += 1) {
      polls.push(await invoke('poll-status', timer('poll-status')));
      for (let second = 0; second < 60; second += 5) {
        looks += await deliver(consumers.poll, 'poll-status');
        while ((await deliver(consumers.startCopy, 'start-copy')) > 0);
        while ((await deliver(consumers.notify, 'notify')) > 0);
        advance(5);
      }
      while ((await deliver(consumers.notify, 'notify')) > 0);
    }
    // Assess
    const store = new TablestoreJobStore({ endpoint: tablestore.endpoint, instanceName: 'replicator', tableName: 'jobs', credentials: STS, now: () => simClock.now() });
    const jobs = await store.list();
    expect(sweep).toMatchObject({ ok: true, result: { results: [{ jobsCreated: 2 }] } });
    expect(polls.every((poll) => poll.ok)).toBe(true);
    expect(failedLooks).toEqual([]);
    expect(jobs.map((job) => job.status)).toEqual([JobStatus.Available, JobStatus.Available]);
    expect(await store.listInFlight()).toEqual([]);
    expect(simulator.inspect.copyCounts().map((c) => c.copies)).toEqual([1, 1]);
    // Each copy's end was predicted and looked at then, not at the next tick (up to a minute
    // late): seen within seconds. A prediction is the middle of a whole percent, so some err by a few.
    expect(looks).toBeGreaterThan(0);
    for (const job of jobs) {
      const task = simulator.inspect.copyTasks().find((t) => t.destinationImageId === job.destinationImageId);
      const seenAfterSeconds = (new Date(job.finishedAt ?? 0).getTime() - (task?.finishedAt ?? Number.NaN)) / 1000;
      expect(seenAfterSeconds).toBeGreaterThanOrEqual(0);
      expect(seenAfterSeconds).toBeLessThanOrEqual(20);
    }
    expect(receiver.received.map((n) => n.body.type)).toEqual(['replication.succeeded', 'replication.succeeded']);
    const page = await invoke('status-page', {
      rawPath: '/',
      headers: { Authorization: `Bearer ${STATUS_TOKEN}`, Host: 'status.example.com' },
      queryParameters: {},
      requestContext: { http: { method: 'GET' } },
    });
    const refused = await invoke('status-page', { rawPath: '/', headers: {}, queryParameters: {}, requestContext: { http: { method: 'GET' } } });
    expect(page).toMatchObject({ ok: true, result: { statusCode: 200 } });
    for (const job of jobs) expect((page.result as { body: string }).body).toContain(`data-job-id="${job.id}"`);
    expect(refused).toMatchObject({ ok: true, result: { statusCode: 401 } });
    // The notify bundle keeps the chat webhook's outbox in the table, where every instance reads it.
    const outbox = await store.outbox.read('golden/wx');
    expect(JSON.parse(outbox?.body ?? '{}')).toMatchObject({ v: 1, digest: { slotMs: expect.any(Number) } });
    const logs = Object.values(bundles).flatMap((bundle) => bundle.log).join('');
    expect(logs).toContain('digest given up for this slot');
    expect(logs).not.toMatch(/is not defined/);
    expect(logs).not.toContain(STS.accessKeySecret);
  });

  it('deletes from the bundles, a version later, the old copy nothing launches with its snapshots but the one a disk was made from, and keeps the copy a scaling configuration launches', async () => {
    // Prepare: a second version is baked the next day and copied
    const store = new TablestoreJobStore({ endpoint: tablestore.endpoint, instanceName: 'replicator', tableName: 'jobs', credentials: STS, now: () => simClock.now() });
    const night = () =>
      nightOfBundles(
        { invoke, deliver, consumers, advance, now: () => simClock.now(), busy: async () => (await store.listInFlight()).length > 0 },
        { stepSeconds: 5, maxMinutes: 120 },
      );
    const old = await store.list();
    advance(24 * 3600);
    simulator.inspect.addImage({ region: 'cn-hangzhou', name: 'golden-bundle-2', sizeGiB: 30, tags: { role: 'golden' } });
    await night();
    const oldShanghai = old.find((job) => job.destination.region === 'cn-shanghai');
    const oldApac = old.find((job) => job.destination.region === 'ap-southeast-1');
    const [apacSystem, apacData] = simulator.inspect.image(oldApac?.destinationImageId ?? '')?.disks.map((disk) => disk.snapshotId) ?? [];
    // Somebody made a disk from the old copy's data snapshot: ECS keeps it unless forced.
    simulator.inspect.addDiskFromSnapshot(apacData ?? '');
    const configuration = simulator.inspect.addScalingConfiguration({ region: 'cn-shanghai', imageId: oldShanghai?.destinationImageId ?? '' });
    advance(24 * 3600);

    // Act: the third night's sweep applies retention
    const third = await night();

    // Assess
    expect(third).toMatchObject({ ok: true, result: { results: [{ pruned: 1 }] } });
    const jobs = await store.list();
    expect(jobs.find((job) => job.id === oldApac?.id)).toMatchObject({ status: JobStatus.Pruned, leftBehind: [{ id: apacData, why: expect.stringMatching(/SnapshotCreatedDisk/) }] });
    expect(simulator.inspect.image(oldApac?.destinationImageId ?? '')).toBeUndefined();
    const live = simulator.inspect.snapshots('ap-southeast-1').map((snapshot) => snapshot.id);
    expect([live.includes(apacSystem ?? ''), live.includes(apacData ?? '')]).toEqual([false, true]);
    const told = receiver.received.find((delivery) => delivery.body.type === 'replication.pruned' && delivery.body.jobId === oldApac?.id);
    expect(NotificationV1.parse(told?.body).destination.leftBehind).toEqual([{ id: apacData, why: expect.stringMatching(/SnapshotCreatedDisk/) }]);
    expect(jobs.find((job) => job.id === oldShanghai?.id)).toMatchObject({
      status: JobStatus.Available,
      lastError: { code: 'CopyInUse', message: `in use by scaling configuration "${configuration.id}" of group "${configuration.groupId}"; it is kept` },
    });
    expect(simulator.requests.count('DescribeScalingConfigurations')).toBeGreaterThan(0);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/webhook-receiver';
import { buildFunctions } from '../../scripts/build';
import { ManualClock } from '../../shared/core/domain/clock';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import type { MnsMessageQueue } from '../../shared/stores/mns/mns-message-queue';
import { TablestoreJobStore } from '../../shared/stores/tablestore/tablestore-job-store';
import { createImsSimulator, type ImsSimulator } from '../../sim/huawei/ims-simulator';
import { ManualSimClock } from '../../sim/sim-clock';
import { MnsWireServer } from '../fakes/mns-wire/mns-wire-server';
import { TablestoreWireFake } from '../fakes/tablestore-wire/server';
import { ROOT } from '../deploy/s-preview';
import { BundleProcess, baseFunctionEnv, DRIVER, QUEUES, nightOfBundles, queueConsumers, queueEvent, STS } from './bundle-harness';

const HUAWEI_KEYS = { accessKeyId: 'HWBUNDLEAK0000000001', accessKeySecret: 'hw-bundle-secret-value-77a1' };
const WEBHOOK_SECRET = 'bundle-huawei-webhook-secret-0123';
const SOURCE = 'cn-north-4';
const DESTINATIONS = ['cn-east-3', 'ap-southeast-1'] as const;
/** Another tenant's project in ap-southeast-1 that the copies there are shared with. */
const PARTNER_PROJECT = 'a1'.repeat(16);
const FUNCTIONS = ['start-copy', 'poll-status', 'notify'] as const;
type Fn = (typeof FUNCTIONS)[number];

/**
 * The deployed artifact on Huawei Cloud: `npm run build`'s bundles, each in its own Node process,
 * against the Tablestore and MNS wire fakes and the IMS simulator (which also answers ECS's server
 * listing), all over 127.0.0.1: the nightly sweep copies, shares and, a version later, prunes.
 */
describe('the built bundles on Huawei Cloud: copy, share and retention over the IMS simulator', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'bundles-huawei-'));
  const driver = join(outDir, 'driver.cjs');
  let tablestore: TablestoreWireFake;
  let mns: MnsWireServer;
  let simulator: ImsSimulator;
  let simClock: ManualSimClock;
  let receiver: WebhookReceiver;
  let bundles: Record<Fn, BundleProcess>;
  let consumers: ReturnType<typeof queueConsumers>;
  let store: TablestoreJobStore;
  const start = new Date();
  const mnsClock = new ManualClock(start);
  let requests = 0;

  beforeAll(async () => {
    await buildFunctions({ root: ROOT, outDir });
    writeFileSync(driver, DRIVER);
    simClock = new ManualSimClock(start);
    tablestore = await TablestoreWireFake.start({ instanceName: 'replicator', ...STS, now: () => simClock.now() });
    mns = new MnsWireServer({ ...STS, clock: mnsClock });
    const { endpoint: mnsEndpoint } = await mns.start();
    Object.values(QUEUES).forEach((name) => mns.createQueue(name));
    simulator = await createImsSimulator({
      clock: simClock,
      wallClock: simClock,
      seed: {
        credentials: [HUAWEI_KEYS],
        regions: [SOURCE, ...DESTINATIONS],
        copy: { bandwidthMiBps: 10, overheadSeconds: 100, initSeconds: 30 },
        images: [{ region: SOURCE, name: 'golden-web', sizeGiB: 10, tags: { role: 'golden' } }],
      },
    });
    receiver = await startWebhookReceiver({ secret: WEBHOOK_SECRET, now: () => simClock.now().getTime() / 1000 });
    store = new TablestoreJobStore({ endpoint: tablestore.endpoint, instanceName: 'replicator', tableName: 'jobs', credentials: STS, now: () => simClock.now() });
    await store.ensureTable();
    const env = {
      ...baseFunctionEnv({
        tablestoreEndpoint: tablestore.endpoint,
        mnsEndpoint,
        policy: `
version: 1
huaweiProjects:
${Object.entries(simulator.projectIds).map(([region, id]) => `  ${region}: ${id}`).join('\n')}
policies:
  - name: golden-huawei
    provider: huawei
    huawei: { agencyName: ims_admin_agency }
    source: { region: ${SOURCE}, select: { tags: { role: golden } } }
    destinations:
      - { region: ${DESTINATIONS[0]} }
      - { region: ${DESTINATIONS[1]}, shareWith: ["${PARTNER_PROJECT}"] }
    retention: { keepNewest: 1, groupBy: name-prefix, namePrefixes: [golden-web] }
    webhooks: [{ name: ops, url: "${receiver.url}", secretEnv: OPS_WEBHOOK_SECRET, allowInsecureLoopback: true }]
`,
      }),
      IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT: simulator.endpointTemplate,
      HUAWEICLOUD_SDK_AK: HUAWEI_KEYS.accessKeyId,
      HUAWEICLOUD_SDK_SK: HUAWEI_KEYS.accessKeySecret,
      OPS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    const started = await Promise.all(FUNCTIONS.map((fn) => BundleProcess.start(driver, join(outDir, fn), env)));
    bundles = Object.fromEntries(FUNCTIONS.map((fn, index) => [fn, started[index]])) as Record<Fn, BundleProcess>;
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

  const invoke = (fn: Fn, event: unknown) => bundles[fn].invoke(event, `bundle-req-${(requests += 1)}`, simClock.now());
  const advance = (seconds: number) => {
    simClock.advanceSeconds(seconds);
    mnsClock.set(simClock.now());
  };
  /** FC's MNS trigger: CloudEvents carrying the plain body; success acknowledges. */
  const deliver = async (queue: MnsMessageQueue, fn: Fn): Promise<number> => {
    const messages = await queue.receive(10, 60);
    if (messages.length === 0) return 0;
    const answer = await invoke(fn, queueEvent(messages));
    if (answer.ok) await Promise.all(messages.map((m) => queue.ack(m.receiptHandle)));
    return messages.length;
  };
  /** The nightly sweep, then the timer and the queues a minute at a time until nothing is in flight. */
  const night = () =>
    nightOfBundles(
      { invoke, deliver, consumers, advance, now: () => simClock.now(), busy: async () => (await store.listInFlight()).length > 0 },
      { stepSeconds: 10, maxMinutes: 90 },
    );
  const jobOf = (jobs: readonly Job[], name: string, region: string): Job => {
    const job = jobs.find((candidate) => candidate.source.imageName === name && candidate.destination.region === region);
    if (job === undefined) throw new Error(`no job for ${name} in ${region}`);
    return job;
  };

  it('copies and shares from the bundles, and a version later deletes the old copies nobody runs, keeping the one a server runs from', async () => {
    // Prepare: the first version is copied and shared; a second version is baked the next day
    const first = await night();
    const copied = await store.list();
    advance(24 * 3600);
    simulator.inspect.addImage({ region: SOURCE, name: 'golden-web-2', sizeGiB: 10, tags: { role: 'golden' } });
    await night();
    const oldEast = jobOf(copied, 'golden-web', DESTINATIONS[0]);
    const oldApac = jobOf(copied, 'golden-web', DESTINATIONS[1]);
    simulator.inspect.launchServer(DESTINATIONS[0], oldEast.destinationImageId ?? '');
    advance(24 * 3600);

    // Act: the third night's sweep applies retention
    const third = await night();

    // Assess
    expect(first).toMatchObject({ ok: true, result: { results: [{ jobsCreated: 2 }] } });
    expect(copied.map((job) => job.status)).toEqual([JobStatus.Available, JobStatus.Available]);
    expect(oldApac.sharedWith).toEqual([PARTNER_PROJECT]);
    expect(third).toMatchObject({ ok: true, result: { results: [{ pruned: 1 }] } });
    const jobs = await store.list();
    expect(jobOf(jobs, 'golden-web', DESTINATIONS[1]).status).toBe(JobStatus.Pruned);
    expect(simulator.inspect.image(oldApac.destinationImageId ?? '')?.status ?? 'gone').toMatch(/^(deleted|gone)$/);
    expect(jobOf(jobs, 'golden-web', DESTINATIONS[0])).toMatchObject({ status: JobStatus.Available, lastError: { code: 'CopyInUse' } });
    expect(simulator.inspect.image(oldEast.destinationImageId ?? '')?.status).toBe('active');
    const newApac = jobOf(jobs, 'golden-web-2', DESTINATIONS[1]);
    expect(newApac).toMatchObject({ status: JobStatus.Available, sharedWith: [PARTNER_PROJECT] });
    expect(simulator.inspect.image(newApac.destinationImageId ?? '')?.members).toEqual([PARTNER_PROJECT]);
    expect(simulator.requests.count('NovaListServers')).toBe(2);
    // The copy no server runs from was also asked about AS configurations before it went
    expect(simulator.requests.recent('ListScalingConfigs').map((request) => [request.status, request.params.region])).toEqual([[200, DESTINATIONS[1]]]);
    expect(receiver.received.map((n) => n.body.type).sort()).toEqual(['replication.pruned', ...Array<string>(4).fill('replication.succeeded')]);
    const logs = Object.values(bundles).flatMap((bundle) => bundle.log).join('');
    expect(logs).not.toContain(HUAWEI_KEYS.accessKeySecret);
  });
});

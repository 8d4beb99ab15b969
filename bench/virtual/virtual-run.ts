import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../runtime/local-runtime';
import { systemClock } from '../../shared/core/domain/clock';
import { JobStatus } from '../../shared/core/domain/job';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { createProviders } from '../../shared/platform/providers';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { createEcsSimulator } from '../../sim/ecs-simulator';
import { type CopyTask, CopyTaskStatus, SimImageStatus } from '../../sim/model';
import { ManualSimClock } from '../../sim/sim-clock';
import { type GoldenImage, releaseSeconds } from '../world/draws';
import { ALL_REGIONS, SOURCE_REGION, copySettings } from '../world/regions';
import { GOLDEN_TAG, benchPolicy } from './bench-policy';
import { type Delivery, RecordingTransport } from './recording-transport';

/**
 * The real product in virtual time: LocalRuntime (the three handlers, SQLite table and queues)
 * talking through the real Alibaba SDK to the ECS simulator on 127.0.0.1, both on one manual
 * clock. The clock moves event by event: after each step, to the runtime's next wake-up (a poll
 * tick, a queued message becoming visible) or to the next image the scenario creates, whichever
 * is first. The product learns of a finished copy only by looking, so nothing it could react to
 * happens in between; a run is as long in steps as the product's own activity, not its duration.
 * The nightly sweep runs at the start and again every 24 virtual hours, as its timer would.
 */
export interface VirtualRunSpec {
  readonly name: string;
  readonly destinations: readonly string[];
  readonly relay: boolean;
  readonly images: readonly GoldenImage[];
  /** A run still busy after this many steps fails: a scenario that does not settle measures nothing. */
  readonly maxSteps: number;
}

export interface VirtualRunResult {
  readonly startMs: number;
  /** The simulator's copy tasks, as it ran them (start and finish instants, source, destination). */
  readonly tasks: readonly CopyTask[];
  readonly deliveries: readonly Delivery[];
  /** ECS requests the simulator received, by action. */
  readonly requests: Readonly<Record<string, number>>;
  readonly jobs: number;
  readonly completedCopies: number;
  /** When each image became copyable, seconds from the start (for the lower bound). */
  readonly releases: ReadonlyArray<{ readonly releaseSeconds: number; readonly sizeGiB: number }>;
  readonly steps: number;
  readonly failedInvocations: number;
  readonly wallMs: number;
}

const KEY = { accessKeyId: 'LTAI-bench', accessKeySecret: 'bench-secret-value' };
/** The nightly sweep's instant (s.yaml: cron 0 0 18 * * *, 02:00 in Shanghai): every run starts with it. */
const START = '2026-11-02T18:00:00Z';
const DAY_MS = 86_400_000;
/** Steps at one instant before the loop is declared stuck (the queues keep handing out work at once). */
const MAX_STEPS_AT_ONE_INSTANT = 200;

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

export const runVirtual = async (spec: VirtualRunSpec): Promise<VirtualRunResult> => {
  const wallStarted = performance.now();
  const clock = new ManualSimClock(START);
  const startMs = clock.now().getTime();
  const existing = spec.images.filter((image) => image.createdAtSeconds === undefined);
  const arrivals = spec.images.filter((image) => image.createdAtSeconds !== undefined).sort((a, b) => (a.createdAtSeconds ?? 0) - (b.createdAtSeconds ?? 0));
  const simulator = await createEcsSimulator({
    clock,
    seed: {
      credentials: [KEY],
      regions: [...ALL_REGIONS],
      copy: copySettings(),
      images: existing.map((image) => ({
        region: SOURCE_REGION,
        name: image.name,
        sizeGiB: image.sizeGiB,
        tags: { ...GOLDEN_TAG },
        createdAt: new Date(startMs - 86_400_000).toISOString(),
      })),
    },
  });
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-bench-'));
  const { config, secrets } = benchPolicy({ destinations: spec.destinations, relay: spec.relay });
  const transport = new RecordingTransport(clock);
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets,
    providers: createProviders({ env: {}, config, alibabaDefault: explicitCredentials(KEY), ecsEndpoint: { endpoint: simulator.endpoint, protocol: 'http' }, wallClock: systemClock }),
    transport,
    clock,
    logger: silentLogger,
    pause: async () => undefined,
  });
  try {
    const arrivalMs = (image: GoldenImage): number => startMs + (image.createdAtSeconds ?? 0) * 1000;
    let next = 0;
    const expectedJobs = spec.images.length * spec.destinations.length;
    // What a build pipeline does: CreateImage (the image is Creating for a while), and ActionTrail
    // tells the product at once through EventBridge.
    const createDue = async (now: number): Promise<void> => {
      for (let image = arrivals[next]; image !== undefined && arrivalMs(image) <= now; image = arrivals[next]) {
        next += 1;
        const created = simulator.inspect.addImage({
          region: SOURCE_REGION,
          name: image.name,
          sizeGiB: image.sizeGiB,
          status: SimImageStatus.Creating,
          readyAt: now + image.creationSeconds * 1000,
          createdAt: new Date(now),
          tags: { ...GOLDEN_TAG },
        });
        await runtime.imageCreated(SOURCE_REGION, created.id, 'CreateImage');
      }
    };

    await runtime.sweep();
    let nextSweepMs = startMs + DAY_MS;
    let steps = 0;
    let atOneInstant = 0;
    for (;; steps += 1) {
      const now = clock.now().getTime();
      if (steps >= spec.maxSteps) {
        const statuses = countBy(await runtime.jobs.list(), (job) => job.status);
        throw new Error(`${spec.name}: not settled after ${spec.maxSteps} steps (${((now - startMs) / 3_600_000).toFixed(1)} h virtual); jobs ${JSON.stringify(statuses)}`);
      }
      await createDue(now);
      if (now >= nextSweepMs) {
        await runtime.sweep();
        nextSweepMs += DAY_MS;
      }
      await runtime.step();
      // Idle is asked (a full read of the table) only once every job has told its webhook: each
      // job ends with a notification, and one that never ends is caught by maxSteps.
      if (next === arrivals.length && transport.deliveries.length >= expectedJobs) {
        const snapshot = await runtime.snapshot();
        if (snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0) break;
      }
      const wake = (await runtime.nextWakeAt()).getTime();
      const arrival = arrivals[next];
      const target = Math.max(now, Math.min(wake, nextSweepMs, arrival === undefined ? Number.POSITIVE_INFINITY : arrivalMs(arrival)));
      atOneInstant = target === now ? atOneInstant + 1 : 0;
      if (atOneInstant > MAX_STEPS_AT_ONE_INSTANT) throw new Error(`${spec.name}: ${MAX_STEPS_AT_ONE_INSTANT} steps at one instant without settling`);
      clock.set(new Date(target));
    }

    const snapshot = await runtime.snapshot();
    if (snapshot.deadLetters > 0) throw new Error(`${spec.name}: ${snapshot.deadLetters} dead letters`);
    const jobs = await runtime.jobs.list();
    const completed = jobs.filter((job) => job.status === JobStatus.Available).length;
    if (completed !== jobs.length || jobs.length !== expectedJobs) {
      throw new Error(`${spec.name}: expected ${expectedJobs} available copies, jobs ${JSON.stringify(countBy(jobs, (job) => job.status))}`);
    }
    const tasks = simulator.inspect.copyTasks();
    const succeeded = tasks.filter((task) => task.status === CopyTaskStatus.Succeeded);
    if (succeeded.length !== completed) throw new Error(`${spec.name}: ${succeeded.length} copies succeeded at the provider for ${completed} available jobs`);
    return {
      startMs,
      tasks,
      deliveries: transport.deliveries,
      requests: simulator.requests.counts(),
      jobs: jobs.length,
      completedCopies: completed,
      releases: spec.images.map((image) => ({ releaseSeconds: releaseSeconds(image), sizeGiB: image.sizeGiB })),
      steps,
      failedInvocations: runtime.ledger.failures,
      wallMs: performance.now() - wallStarted,
    };
  } finally {
    runtime.close();
    await simulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
};

/** From the start of the run to the last copy becoming Available at the provider, seconds. */
export const makespanSeconds = (run: VirtualRunResult): number => {
  const finished = run.tasks.filter((task) => task.status === CopyTaskStatus.Succeeded).map((task) => task.finishedAt ?? Number.POSITIVE_INFINITY);
  return (Math.max(...finished) - run.startMs) / 1000;
};

export const totalRequests = (run: VirtualRunResult): number => Object.values(run.requests).reduce((sum, n) => sum + n, 0);

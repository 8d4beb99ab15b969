import { createProviders } from '../shared/platform/providers';
import { systemClock } from '../shared/core/domain/clock';
/**
 * `npm run bench`: performance as ratios against a baseline measured in the same run.
 *
 * 1. Fan-out makespan against its lower bound. Virtual time on the simulator (no wall-clock noise):
 *    the time until every copy is available, over the best any scheduler could do under Alibaba's
 *    limits — one running copy per source image, five per region:
 *        lower bound = max( max over images of (copy time × destinations), total copy time / 5 )
 *    A ratio of 1.00 is optimal; poll granularity (one look a minute) adds a little per copy.
 * 2. The cost of a poll against history: listing the jobs in flight with 20 in flight, then with
 *    20,000 finished jobs beside them. Both measured here, now; the ratio should stay near 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../runtime/local-runtime';
import { explicitCredentials } from '../shared/providers/alibaba-ecs/credentials';
import { silentLogger } from '../shared/platform/logging/json-logger';
import { SqliteJobStore } from '../shared/stores/sqlite/sqlite-job-store';
import { parsePolicyConfig } from '../shared/core/config/load-policy-config';
import { ImageState } from '../shared/core/domain/image';
import { type Job, JobStatus, NotificationStatus } from '../shared/core/domain/job';
import { newJob } from '../shared/core/domain/job-transitions';
import { planJobs } from '../shared/core/domain/policy';
import { createEcsSimulator } from '../sim/ecs-simulator';
import { copyDurationMs } from '../sim/model';
import { ManualSimClock } from '../sim/sim-clock';

const KEY = { accessKeyId: 'LTAI-bench', accessKeySecret: 'bench-secret' };
const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'cn-qingdao', 'ap-southeast-1', 'eu-central-1', 'us-west-1', 'ap-northeast-1', 'me-east-1', 'eu-west-1'];
const COPY = { bandwidthMiBps: 25, overheadSeconds: 120 };

interface FanOut {
  readonly name: string;
  readonly sizesGiB: readonly number[];
  readonly destinations: number;
}

const makespan = async (scenario: FanOut): Promise<{ makespanMin: number; lowerBoundMin: number; steps: number }> => {
  const clock = new ManualSimClock('2026-11-01T00:00:00Z');
  const destinations = REGIONS.slice(1, 1 + scenario.destinations);
  const simulator = await createEcsSimulator({
    clock,
    seed: {
      credentials: [KEY],
      regions: REGIONS,
      copy: COPY,
      images: scenario.sizesGiB.map((sizeGiB, i) => ({ region: 'cn-hangzhou', name: `golden-${i}`, sizeGiB, tags: { role: 'golden' } })),
    },
  });
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-bench-'));
  const config = parsePolicyConfig(
    `version: 1\npolicies:\n  - name: bench\n    source: { region: cn-hangzhou, select: { tags: { role: golden } } }\n    destinations: [${destinations.map((r) => `{ region: ${r} }`).join(', ')}]\n`,
    'bench',
  );
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets: new Map(),
    providers: createProviders({ env: {}, config, alibabaDefault: explicitCredentials(KEY), ecsEndpoint: { endpoint: simulator.endpoint, protocol: 'http' }, wallClock: systemClock }),
    transport: { post: async () => ({ ok: true, status: 204 }) },
    clock,
    logger: silentLogger,
    pause: async () => undefined,
  });
  try {
    const start = clock.now().getTime();
    await runtime.sweep();
    let steps = 0;
    for (; steps < 20_000; steps += 1) {
      await runtime.step();
      if ((await runtime.snapshot()).inFlightJobs === 0) break;
      clock.advanceSeconds(60);
    }
    const jobs = await runtime.jobs.list();
    if (!jobs.every((job) => job.status === JobStatus.Available)) throw new Error(`${scenario.name}: not every copy finished`);
    const finished = Math.max(...jobs.map((job) => new Date(job.finishedAt ?? 0).getTime()));
    const durations = scenario.sizesGiB.map((size) => copyDurationMs(size, { ...COPY, maxConcurrentPerSourceRegion: 5 }));
    const perSource = Math.max(...durations.map((d) => d * scenario.destinations));
    const perRegion = (durations.reduce((a, b) => a + b, 0) * scenario.destinations) / 5;
    return { makespanMin: (finished - start) / 60_000, lowerBoundMin: Math.max(perSource, perRegion) / 60_000, steps };
  } finally {
    runtime.close();
    await simulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const timeListInFlight = async (store: SqliteJobStore, runs: number): Promise<number> => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    await store.listInFlight();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
};

const pollCostAgainstHistory = async (): Promise<{ baselineMs: number; withHistoryMs: number; inFlight: number; history: number }> => {
  const dir = mkdtempSync(join(tmpdir(), 'ir-bench-'));
  const store = new SqliteJobStore(join(dir, 'state.db'));
  const config = parsePolicyConfig(
    'version: 1\npolicies:\n  - name: bench\n    source: { region: cn-hangzhou, select: { tags: { role: golden } } }\n    destinations: [{ region: cn-shanghai }]\n',
    'bench',
  );
  const jobFor = (n: number, status: Job['status']): Job => {
    const [planned] = planJobs(config, { provider: 'alibaba', account: 'default' }, { id: `m-bench${n}`, region: 'cn-hangzhou', name: `golden-${n}`, state: ImageState.Available, sizeGiB: 20, tags: { role: 'golden' } });
    const job = newJob(planned!.id, planned!.spec, ImageState.Available, new Date('2026-01-01T00:00:00Z'));
    return { ...job, status, notification: { status: NotificationStatus.Delivered, webhooks: {} } };
  };
  try {
    const inFlight = 20;
    for (let n = 0; n < inFlight; n += 1) await store.putIfAbsent(jobFor(n, JobStatus.Copying));
    const baselineMs = await timeListInFlight(store, 300);
    const history = 20_000;
    for (let n = inFlight; n < inFlight + history; n += 1) await store.putIfAbsent(jobFor(n, JobStatus.Available));
    const withHistoryMs = await timeListInFlight(store, 300);
    return { baselineMs, withHistoryMs, inFlight, history };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const main = async () => {
  const scenarios: FanOut[] = [
    { name: 'demo: 3 images → 3 regions', sizesGiB: [20, 40, 100], destinations: 3 },
    { name: '1 image (40 GiB) → 10 regions', sizesGiB: [40], destinations: 10 },
    { name: '10 images (20–200 GiB) → 6 regions', sizesGiB: [20, 40, 60, 80, 100, 120, 140, 160, 180, 200], destinations: 6 },
  ];
  console.log('Fan-out makespan (virtual time) against the lower bound under Alibaba limits');
  console.log('scenario                              makespan   lower bound   ratio');
  for (const scenario of scenarios) {
    const result = await makespan(scenario);
    console.log(
      `${scenario.name.padEnd(36)} ${result.makespanMin.toFixed(1).padStart(7)} min ${result.lowerBoundMin.toFixed(1).padStart(9)} min   ${(result.makespanMin / result.lowerBoundMin).toFixed(2)}`,
    );
  }
  const poll = await pollCostAgainstHistory();
  console.log('\nListing jobs in flight (SQLite, median of 300)');
  console.log(`${poll.inFlight} in flight, no history:        ${poll.baselineMs.toFixed(3)} ms (baseline)`);
  console.log(`${poll.inFlight} in flight, ${poll.history} finished:  ${poll.withHistoryMs.toFixed(3)} ms   ratio ${(poll.withHistoryMs / poll.baselineMs).toFixed(2)}`);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

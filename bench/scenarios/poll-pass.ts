import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../runtime/local-runtime';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { systemClock } from '../../shared/core/domain/clock';
import { ImageState } from '../../shared/core/domain/image';
import { JobStatus } from '../../shared/core/domain/job';
import { newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { DEFAULT_ACCOUNT, ProviderId } from '../../shared/core/domain/provider';
import { copyRequestFor } from '../../shared/core/use-cases/dispatch';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { createProviders } from '../../shared/platform/providers';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { createEcsSimulator } from '../../sim/ecs-simulator';
import { ManualSimClock } from '../../sim/sim-clock';
import type { Scenario } from '../scenario';
import { median } from '../stats';
import { ALL_REGIONS, DESTINATIONS_10, SOURCE_REGION, copySettings } from '../world/regions';

const KEY = { accessKeyId: 'LTAI-bench', accessKeySecret: 'bench-secret-value' };

interface Table {
  /** Jobs waiting for a slot: the nightly backlog. */
  readonly queued: number;
  /** Copies running at the provider, whose progress every pass reads and writes. */
  readonly copying: number;
  /** Measured passes; the median counts. A small pass is short and noisy, so it gets more. */
  readonly passes: number;
}

/**
 * A backlog policy (every image to the ten destinations) and one policy per lane of running
 * copies (each lane copies to one destination), so the copies in flight spread over regions as
 * they would, while each is a copy of its own source image.
 */
const policyFor = (lanes: number): PolicyConfig =>
  parsePolicyConfig(
    [
      'version: 1',
      'policies:',
      '  - name: backlog',
      `    source: { region: ${SOURCE_REGION}, select: { tags: { role: backlog } } }`,
      `    destinations: [${DESTINATIONS_10.map((region) => `{ region: ${region} }`).join(', ')}]`,
      '    copyTimeout: 1d',
      ...Array.from({ length: lanes }, (_, lane) => [
        `  - name: running-${lane}`,
        `    source: { region: ${SOURCE_REGION}, select: { tags: { role: running, lane: "${lane}" } } }`,
        `    destinations: [{ region: ${DESTINATIONS_10[lane]} }]`,
        '    copyTimeout: 1d',
      ]).flat(),
      '',
    ].join('\n'),
    'bench-poll',
  );

/**
 * Wall time of one poll-status pass (through the local runtime: the FC handler, SQLite, the SDK
 * to the simulator) over a table of `queued` + `copying` jobs, median of a few passes a virtual
 * minute apart. The table is made the product's way: the copies in flight are started as dispatch
 * would start them (same request, tags, token), then one sweep creates every job and adopts those
 * copies. The simulator runs all of them at once (its per-region limit raised for this scenario
 * only): they stand in for the copies of several accounts and source regions in one table.
 */
const measurePass = async (table: Table, progress: (line: string) => void): Promise<{ passesMs: number[]; jobs: number }> => {
  const lanes = Math.min(DESTINATIONS_10.length, table.copying);
  if (table.copying % lanes !== 0 || table.queued % DESTINATIONS_10.length !== 0) throw new Error('copying must split evenly over the lanes, queued over ten destinations');
  const clock = new ManualSimClock('2026-11-02T02:00:00Z');
  const simulator = await createEcsSimulator({
    clock,
    seed: {
      credentials: [KEY],
      regions: [...ALL_REGIONS],
      copy: { ...copySettings(), maxConcurrentPerSourceRegion: table.copying },
      images: [
        { region: SOURCE_REGION, name: 'backlog', count: table.queued / DESTINATIONS_10.length, sizeGiB: 60, tags: { role: 'backlog' } },
        ...Array.from({ length: lanes }, (_, lane) => ({
          region: SOURCE_REGION,
          name: `running-${lane}`,
          count: table.copying / lanes,
          sizeGiB: 200,
          tags: { role: 'running', lane: String(lane) },
        })),
      ],
    },
  });
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-bench-poll-'));
  const config = policyFor(lanes);
  const providers = createProviders({ env: {}, config, alibabaDefault: explicitCredentials(KEY), ecsEndpoint: { endpoint: simulator.endpoint, protocol: 'http' }, wallClock: systemClock });
  const runtime = new LocalRuntime({ stateDir, config, secrets: new Map(), providers, transport: { post: async () => ({ ok: true, status: 204 }) }, clock, logger: silentLogger, pause: async () => undefined });
  try {
    const provider = providers.get(ProviderId.Alibaba, DEFAULT_ACCOUNT);
    const running = await provider.listImages(SOURCE_REGION, { states: [ImageState.Available], ownedBySelf: true, tags: { role: 'running' } });
    for (const image of running) {
      for (const planned of planJobs(config, { provider: ProviderId.Alibaba, account: DEFAULT_ACCOUNT }, image)) {
        const job = newJob(planned.id, planned.spec, ImageState.Available, clock.now());
        const started = await provider.startCopy(copyRequestFor(job, clock.now()));
        if (started.kind !== 'started') throw new Error(`could not start the copy for ${job.id}: ${JSON.stringify(started)}`);
      }
    }
    await runtime.sweep();
    const jobs = await runtime.jobs.listInFlight();
    const count = (status: string) => jobs.filter((job) => job.status === status).length;
    if (count(JobStatus.Queued) !== table.queued || count(JobStatus.Copying) !== table.copying) {
      throw new Error(`the table is not as meant: ${count(JobStatus.Queued)} queued, ${count(JobStatus.Copying)} copying (wanted ${table.queued}, ${table.copying})`);
    }
    // One pass unmeasured first. It warms the code up, and it takes the hit of a connection the
    // simulator closed while the sweep kept the process busy (its keep-alive ends after 5 s idle,
    // and server and client share this event loop): a reset there is the bench's, not the product's.
    clock.advanceSeconds(60);
    await runtime.poll().catch((error: unknown) => progress(`poll pass: warm-up pass failed (${String(error).slice(0, 120)})`));
    const passesMs: number[] = [];
    for (let pass = 0; pass < table.passes; pass += 1) {
      clock.advanceSeconds(60);
      const failures = runtime.ledger.failures;
      const started = performance.now();
      await runtime.poll();
      passesMs.push(performance.now() - started);
      if (runtime.ledger.failures !== failures) throw new Error(`a poll pass failed: ${runtime.ledger.lastFailure?.message ?? ''}`);
    }
    return { passesMs, jobs: jobs.length };
  } finally {
    runtime.close();
    await simulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
};

const BIG: Table = { queued: 20_000, copying: 300, passes: 5 };
/** The same table at a hundredth: what a pass costs per job when the table is small. */
const SMALL: Table = { queued: 200, copying: 5, passes: 15 };

const show = (passes: readonly number[]): string => passes.map((ms) => ms.toFixed(0)).join(', ');

export const pollPassScenario: Scenario = {
  id: 'poll-pass',
  title: `one poll-status pass, ${BIG.queued.toLocaleString('en-US')} queued + ${BIG.copying} copying, against ${SMALL.queued} + ${SMALL.copying}`,
  produces: ['poll_pass_20k_queued_ms', 'poll_pass_20k_linearity'],
  async run(progress) {
    progress(`poll pass: ${SMALL.queued} queued + ${SMALL.copying} copying (baseline)`);
    const small = await measurePass(SMALL, progress);
    progress(`poll pass: ${BIG.queued} queued + ${BIG.copying} copying`);
    const big = await measurePass(BIG, progress);
    const [bigMs, smallMs] = [median(big.passesMs), median(small.passesMs)];
    const linearity = bigMs / big.jobs / (smallMs / small.jobs);
    return {
      metrics: { poll_pass_20k_queued_ms: bigMs, poll_pass_20k_linearity: linearity, poll_pass_200_queued_ms: smallMs },
      details: [
        `${big.jobs} jobs: median ${bigMs.toFixed(0)} ms (passes ${show(big.passesMs)} ms); ${small.jobs} jobs: median ${smallMs.toFixed(1)} ms (passes ${show(small.passesMs)} ms)`,
        `per job ${((bigMs / big.jobs) * 1000).toFixed(1)} µs at ${big.jobs}, ${((smallMs / small.jobs) * 1000).toFixed(1)} µs at ${small.jobs}: linearity ${linearity.toFixed(2)}`,
        'linearity = per-job cost at 20k ÷ per-job cost at 1/100 of it: about 1 is linear, above 1 grows faster than the table, below 1 the small pass is mostly fixed cost (HTTP calls)',
      ],
    };
  },
};

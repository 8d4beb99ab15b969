import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEcsSimulator } from '../../sim/ecs-simulator';
import { loadSeedFile } from '../../sim/seed';
import { JobViewV1 } from '../../cli/job-view';
import { IMS_SIM_WORLD_FILE } from '../../cli/target';
import { createImsSimulator } from '../../sim/huawei/ims-simulator';
import { loadImsSeedFile } from '../../sim/huawei/seed';
import { cleanEnv, cli, FAMILY_SEED, project, RETENTION_POLICY, runArgs } from './helpers';

/** A small Huawei world: one golden image, copies taking a few wall seconds at speed 600. */
const HW_SEED = `credentials:
  - { accessKeyId: HWRUNTESTAK000000001, accessKeySecret: hw-run-test-secret-not-for-production }
regions:
  - { id: cn-north-4, projectId: 0a1b2c3d4e5f60718293a4b5c6d7e8f9 }
  - { id: cn-east-3, projectId: 1b2c3d4e5f60718293a4b5c6d7e8f90a }
  - { id: ap-southeast-1, projectId: 3d4e5f60718293a4b5c6d7e8f90a1b2c }
speed: 600
randomSeed: 7
copy: { bandwidthMiBps: 50, overheadSeconds: 300, initSeconds: 30 }
agency: { name: ims_admin_agency }
images:
  - { region: cn-north-4, name: golden-hw, sizeGiB: 2, tags: { role: golden } }
faults: { copyFailureProbability: 0 }
`;
const HW_POLICY = `version: 1
policies:
  - name: golden-huawei
    provider: huawei
    huawei: { agencyName: ims_admin_agency }
    source: { region: cn-north-4, select: { tags: { role: golden } } }
    destinations: [{ region: cn-east-3 }, { region: ap-southeast-1 }]
huaweiProjects:
  cn-north-4: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
  cn-east-3: 1b2c3d4e5f60718293a4b5c6d7e8f90a
  ap-southeast-1: 3d4e5f60718293a4b5c6d7e8f90a1b2c
`;

describe('run', () => {
  it('replicates on the embedded simulator from any folder and exits 0 with one summary line', async () => {
    // Prepare
    const dir = project();
    // Act
    const result = await cli(runArgs(), { cwd: dir });
    // Assess
    expect(result.code).toBe(0);
    expect(result.out.trim().split('\n').at(-1)).toBe('done: 4 copies available');
    expect(result.out).toMatch(/rj-[0-9a-f]+ +alibaba +golden/);
  });

  it('judges a run on its own work: a second run with nothing left to do exits 0', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    // Act
    const again = await cli(runArgs(), { cwd: dir });
    // Assess
    expect(again.code).toBe(0);
    expect(again.out).toContain('done: nothing to do');
  });

  it('counts copies its sweep deleted by retention as done, not as failed', async () => {
    // Prepare: four copies made under a policy without retention.
    const dir = project({ 'seed.yaml': FAMILY_SEED, 'retention.yaml': RETENTION_POLICY });
    await cli(runArgs(), { cwd: dir });
    // Act: the same policy, now keeping the newest copy of the family per region.
    const result = await cli(['run', '--config', 'retention.yaml', '--seed', 'seed.yaml', '--state-dir', 'state'], { cwd: dir });
    // Assess
    expect(result.code).toBe(0);
    expect(result.out.trim().split('\n').at(-1)).toBe('done: 2 copies deleted by retention');
  });

  it('prints one JSON object per job change, in the shape status --json prints', async () => {
    // Prepare
    const dir = project();
    // Act
    const run = await cli(runArgs('--json'), { cwd: dir });
    const status = await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir });
    // Assess
    const lines = run.out.trim().split('\n').map((line) => JobViewV1.parse(JSON.parse(line)));
    const listed = JobViewV1.array().parse(JSON.parse(status.out));
    expect(run.code).toBe(0);
    expect(new Set(lines.map((job) => job.jobId))).toEqual(new Set(listed.map((job) => job.jobId)));
    expect(Object.keys(lines[0] ?? {})).toEqual(Object.keys(listed[0] ?? {}));
    expect(listed.every((job) => job.status === 'available')).toBe(true);
  });

  it('exits 1 against a closed endpoint and says why in one line', async () => {
    // Prepare
    const dir = project();
    const env = cleanEnv({ IMAGE_REPLICATOR_ECS_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-x', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'closed-endpoint-secret' });
    // Act
    const result = await cli(['run', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir, env });
    // Assess
    const verdicts = result.err.split('\n').filter((line) => line.startsWith('failed:'));
    expect(result.code).toBe(1);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatch(/^failed: the sweep could not run: NetworkError: .*ECONNREFUSED/);
    expect(result.err + result.out).not.toContain('closed-endpoint-secret');
  });

  it('exits 1 with a wrong secret against a standalone simulator, in one line that does not print it', async () => {
    // Prepare
    const dir = project();
    const simulator = await createEcsSimulator({ seed: await loadSeedFile(join(dir, 'seed.yaml')) });
    const env = cleanEnv({ IMAGE_REPLICATOR_ECS_ENDPOINT: simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-sim-test', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-simulators-secret' });
    try {
      // Act
      const result = await cli(['run', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir, env });
      // Assess
      expect(result.code).toBe(1);
      expect(result.err.split('\n').filter((line) => line.startsWith('failed:'))).toEqual([expect.stringMatching(/^failed: the sweep could not run: .*Signature/)]);
      expect(result.err + result.out).not.toContain('not-the-simulators-secret');
    } finally {
      await simulator.close();
    }
  });

  it('exits 1 when the source listing is throttled past the retries', async () => {
    // Prepare
    const dir = project();
    const simulator = await createEcsSimulator({ seed: await loadSeedFile(join(dir, 'seed.yaml')) });
    simulator.faults.setActionRates('DescribeImages', { throttle: 1 });
    const env = cleanEnv({ IMAGE_REPLICATOR_ECS_ENDPOINT: simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-sim-test', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sim-test-secret-not-for-production' });
    try {
      // Act
      const result = await cli(['run', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir, env });
      // Assess
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/^failed: the sweep could not run: .*Throttling/m);
    } finally {
      await simulator.close();
    }
  });

  it('exits 1 without credentials, naming that, in one line', async () => {
    // Prepare
    const dir = project();
    const env = cleanEnv({ IMAGE_REPLICATOR_ECS_ENDPOINT: 'http://127.0.0.1:9', HOME: dir });
    // Act
    const result = await cli(['run', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir, env });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/failed: the sweep could not run: .*credentials/);
  });

  it('exits 1 when a queued request fails against a closed endpoint, keeping it for the next run', async () => {
    // Prepare
    const dir = project();
    const env = cleanEnv({ IMAGE_REPLICATOR_ECS_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-x', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'closed-endpoint-secret' });
    await cli(['replicate', 'cn-hangzhou', 'm-abc', '--state-dir', 'state'], { cwd: dir });
    // Act
    const result = await cli(['run', '--no-sweep', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir, env });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/failed: stopped after 1 failed invocation in a row with nothing else to do \(start-copy: NetworkError/);
  });

  it('exits 1 when a queued request names an image no policy selects', async () => {
    // Prepare
    const dir = project();
    await cli(['replicate', 'cn-hangzhou', 'm-nobodys', '--state-dir', 'state'], { cwd: dir });
    // Act
    const result = await cli([...runArgs('--no-sweep')], { cwd: dir });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain('failed: the request for m-nobodys (alibaba cn-hangzhou) made no job');
  });

  it('exits 1 when a queued request is set aside on the dead-letter queue', async () => {
    // Prepare: a request for a Huawei account the policy file has no credentials for is refused for good.
    const dir = project();
    await cli(['replicate', 'cn-hangzhou', 'm-abc', '--account', 'elsewhere', '--state-dir', 'state'], { cwd: dir });
    // Act
    const result = await cli([...runArgs('--no-sweep')], { cwd: dir });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/failed: (1 input set aside on the dead-letter queue|the request for m-abc)/);
  });

  it('stops on request with exit 130, and the next run resumes in the same world: no duplicate copy, no stranger adopted', async () => {
    // Prepare: somebody else's image in Shanghai carries the name our copy would take.
    const dir = project();
    const seed = readFileSync(join(dir, 'seed.yaml'), 'utf8').replace('faults:', '  - { region: cn-shanghai, name: golden-b, sizeGiB: 1, tags: { owner: someone-else } }\nfaults:');
    writeFileSync(join(dir, 'seed.yaml'), seed);
    const stop = new AbortController();
    // Act
    const first = await cli(runArgs(), { cwd: dir, signal: stop.signal, onOut: (text) => text.includes('copying') && stop.abort() });
    const second = await cli(runArgs(), { cwd: dir });
    // Assess
    const world = await createEcsSimulator({ seed: await loadSeedFile(join(dir, 'seed.yaml')), stateFile: join(dir, 'state', 'ecs-simulator.json') });
    try {
      const stranger = world.inspect.images('cn-shanghai').find((image) => image.tags.some(([key, value]) => key === 'owner' && value === 'someone-else'));
      const jobs = JobViewV1.array().parse(JSON.parse((await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir })).out));
      expect(first.code).toBe(130);
      expect(first.out + first.err).toContain('stopped; the state is kept');
      expect(world.inspect.copyCounts().every((count) => count.copies === 1)).toBe(true);
      expect(stranger).toBeDefined();
      expect(jobs.map((job) => job.destination.imageId)).not.toContain(stranger?.id);
      const blocked = jobs.find((job) => job.source.imageName === 'golden-b' && job.destination.region === 'cn-shanghai');
      expect(second.code).toBe(0);
      expect(jobs).toHaveLength(4);
      expect(blocked).toMatchObject({ status: 'failed', destination: { imageId: null }, error: { code: 'InvalidImageName.Duplicated' } });
      expect(jobs.filter((job) => job !== blocked).every((job) => job.status === 'available')).toBe(true);
    } finally {
      await world.close();
    }
  });

  it('resumes Huawei copies in the same IMS world after a stop: each copy made once, each job available', async () => {
    // Prepare: one Huawei image to two regions, slow enough to be stopped mid-copy
    const dir = project({ 'hw-seed.yaml': HW_SEED, 'hw-policy.yaml': HW_POLICY });
    const args = ['run', '--config', 'hw-policy.yaml', '--seed', 'seed.yaml', '--huawei-seed', 'hw-seed.yaml', '--state-dir', 'state'];
    const stop = new AbortController();
    // Act
    const first = await cli(args, { cwd: dir, signal: stop.signal, onOut: (text) => text.includes('copying') && stop.abort() });
    const second = await cli(args, { cwd: dir });
    // Assess
    const world = await createImsSimulator({ seed: await loadImsSeedFile(join(dir, 'hw-seed.yaml')), stateFile: join(dir, 'state', IMS_SIM_WORLD_FILE) });
    try {
      const jobs = JobViewV1.array().parse(JSON.parse((await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir })).out));
      const made = world.inspect.copyRecords().map((record) => `${record.destinationRegion}/${record.name}`);
      expect(first.code).toBe(130);
      expect(second.code).toBe(0);
      expect(jobs.map((job) => job.status)).toEqual(['available', 'available']);
      expect(made.sort()).toEqual(['ap-southeast-1/golden-hw', 'cn-east-3/golden-hw']);
    } finally {
      await world.close();
    }
  });
});

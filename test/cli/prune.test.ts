import { describe, expect, it } from 'vitest';
import { JobViewV1 } from '../../cli/job-view';
import { PlanViewV1 } from '../../cli/plan-view';
import type { PruneDecision } from '../../shared/core/use-cases/prune';
import { cli, FAMILY_SEED, project, RETENTION_POLICY, runArgs, savedWorld } from './helpers';

const pruneArgs = (...extra: string[]): string[] => ['prune', '--config', 'retention.yaml', '--state-dir', 'state', ...extra];
const DESTINATIONS = ['cn-shanghai', 'cn-beijing'];

/** Two golden images of one family, copied to two regions by a policy without retention: four copies. */
const copiedTwice = async (): Promise<string> => {
  const dir = project({ 'seed.yaml': FAMILY_SEED, 'retention.yaml': RETENTION_POLICY });
  const run = await cli(runArgs(), { cwd: dir });
  if (run.code !== 0) throw new Error(`the run failed: ${run.err}`);
  return dir;
};

/** The images in the destinations as the simulator holds them, by region. */
const copiesInWorld = async (dir: string): Promise<Record<string, string[]>> => {
  const world = await savedWorld(dir);
  try {
    return Object.fromEntries(DESTINATIONS.map((region) => [region, world.inspect.images(region).map((image) => image.id).sort()]));
  } finally {
    await world.close();
  }
};

const statusJson = async (dir: string) => JobViewV1.array().parse(JSON.parse((await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir })).out));

describe('prune', () => {
  it('with --dry-run lists the copies past retention and why, and deletes nothing', async () => {
    // Prepare
    const dir = await copiedTwice();
    const before = await copiesInWorld(dir);
    // Act
    const text = await cli(pruneArgs('--dry-run'), { cwd: dir });
    const json = await cli(pruneArgs('--dry-run', '--json'), { cwd: dir });
    // Assess
    const decisions = (JSON.parse(json.out) as { dryRun: boolean; decisions: PruneDecision[] }).decisions;
    expect(text.code).toBe(0);
    expect(text.out).toContain('(dry run: nothing is changed)');
    expect(text.out.split('\n').filter((line) => /^golden +cn-\w+ +m-\w+ \(golden-[ab]\) +family:golden +delete +past retention, 1 GiB$/.test(line))).toHaveLength(2);
    expect(text.out).toContain('would delete 2 copies (2 GiB) and deprecate 0; 2 copies kept');
    expect(json.code).toBe(0);
    expect(decisions.map((d) => [d.region, d.action]).sort()).toEqual([['cn-beijing', 'delete'], ['cn-beijing', 'keep'], ['cn-shanghai', 'delete'], ['cn-shanghai', 'keep']]);
    expect(await copiesInWorld(dir)).toEqual(before);
    expect(Object.values(before).map((ids) => ids.length)).toEqual([2, 2]);
    expect((await statusJson(dir)).map((job) => job.status)).toEqual(['available', 'available', 'available', 'available']);
  });

  it('deletes the copies past retention at the provider, ends their jobs pruned and says so', async () => {
    // Prepare
    const dir = await copiedTwice();
    const planned = PlanViewV1.parse(JSON.parse((await cli(['plan', '--config', 'retention.yaml', '--state-dir', 'state', '--json'], { cwd: dir })).out));
    // Act
    const result = await cli(pruneArgs(), { cwd: dir });
    // Assess
    const jobs = await statusJson(dir);
    const pruned = jobs.filter((job) => job.status === 'pruned');
    const world = await copiesInWorld(dir);
    expect(planned.items.filter((item) => item.action === 'prune').map((item) => item.jobId).sort()).toEqual(pruned.map((job) => job.jobId).sort());
    expect(result.code).toBe(0);
    expect(result.out).toContain('deleted 2 copies, deprecated 0; 2 copies kept');
    expect(pruned).toHaveLength(2);
    for (const job of pruned) expect(world[job.destination.region]).not.toContain(job.destination.imageId);
    expect(Object.values(world).map((ids) => ids.length)).toEqual([1, 1]);
  });

  it('keeps a copy in use, says why on stderr and exits 1', async () => {
    // Prepare: an instance runs from one of the copies retention would delete.
    const dir = await copiedTwice();
    const dryRun = JSON.parse((await cli(pruneArgs('--dry-run', '--json'), { cwd: dir })).out) as { decisions: PruneDecision[] };
    const doomed = dryRun.decisions.find((d) => d.action === 'delete' && d.region === 'cn-shanghai');
    const world = await savedWorld(dir);
    world.inspect.addInstance({ region: 'cn-shanghai', imageId: doomed?.imageId ?? '' });
    await world.close();
    // Act
    const result = await cli(pruneArgs(), { cwd: dir });
    // Assess
    const kept = (await statusJson(dir)).find((job) => job.jobId === doomed?.jobId);
    const table = await cli(['status', '--state-dir', 'state'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`not deleted: ${doomed?.jobId}: CopyInUse: in use by 1 instance; it is kept`);
    expect(result.out).toContain('deleted 1 copy, deprecated 0, 1 not done (why on stderr)');
    expect(kept).toMatchObject({ status: 'available', error: { code: 'CopyInUse' } });
    expect((await copiesInWorld(dir))['cn-shanghai']).toContain(doomed?.imageId);
    expect(table.out).toMatch(new RegExp(`^${doomed?.jobId} .* available, not pruned: CopyInUse `, 'm'));
  });

  it('says there is nothing to prune when no policy has retention', async () => {
    // Prepare
    const dir = await copiedTwice();
    // Act
    const result = await cli(['prune', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir });
    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toContain('has retention: nothing to prune');
  });

  it('exits 1 and says how to begin when there is no state yet', async () => {
    // Prepare
    const dir = project({ 'retention.yaml': RETENTION_POLICY });
    // Act
    const result = await cli(pruneArgs('--dry-run'), { cwd: dir });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain('`image-replicator run` creates it');
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanViewV1 } from '../../cli/plan-view';
import { DEFAULT_PRICES } from '../../shared/core/use-cases/plan';
import { cleanEnv, cli, project, runArgs } from './helpers';

const planArgs = (...extra: string[]): string[] => ['plan', '--config', 'policy.yaml', '--seed', 'seed.yaml', '--state-dir', 'state', ...extra];
const ALIBABA_PRICE_SOURCE = DEFAULT_PRICES.alibaba?.source ?? '';

describe('plan', () => {
  it('before the first run, lists every copy with its route, time and size, the storage cost with its price source, exits 3 and creates no state', async () => {
    // Prepare
    const dir = project();
    // Act
    const result = await cli(planArgs(), { cwd: dir });
    // Assess
    const rows = result.out.split('\n').filter((line) => line.startsWith('golden '));
    expect(result.code).toBe(3);
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => /alibaba +golden-[ab] \(m-\w+, cn-hangzhou\) +cn-(shanghai|beijing) +copy +copy-image, about \d+ min, 1 GiB$/.test(row))).toBe(true);
    expect(result.out).toMatch(/^ +alibaba +cn-shanghai +2 GiB +0 GiB +\+0\.03 USD\/month$/m);
    expect(result.out).toContain(`prices: ${ALIBABA_PRICE_SOURCE}`);
    expect(result.out).toContain('4 copies to make (4 GiB to move)');
    expect(result.out).toMatch(/^time: about \d+ min until every copy is made, at a default of 100 GiB per hour/m);
    expect(result.out).toContain('changes pending: `image-replicator run` makes them (exit 3)');
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('with --json prints one versioned object with the items, regions and totals, and exits 3', async () => {
    // Prepare
    const dir = project();
    // Act
    const result = await cli(planArgs('--json'), { cwd: dir });
    // Assess
    const plan = PlanViewV1.parse(JSON.parse(result.out));
    expect(result.code).toBe(3);
    expect(plan).toMatchObject({ version: 1, stateFound: false, changesPending: true, problems: [] });
    expect(plan.items.map((item) => [item.imageName, item.destinationRegion, item.action, item.route])).toEqual([
      ['golden-a', 'cn-shanghai', 'copy', 'copy-image'],
      ['golden-a', 'cn-beijing', 'copy', 'copy-image'],
      ['golden-b', 'cn-shanghai', 'copy', 'copy-image'],
      ['golden-b', 'cn-beijing', 'copy', 'copy-image'],
    ]);
    expect(plan.items.every((item) => item.expectedHours === 1 / 100 && item.jobId?.startsWith('rj-'))).toBe(true);
    expect(plan.regions.map((r) => [r.region, r.gainGiB, r.monthlyCostChange, r.priceSource])).toEqual([
      ['cn-shanghai', 2, { amount: 0.03, currency: 'USD' }, ALIBABA_PRICE_SOURCE],
      ['cn-beijing', 2, { amount: 0.03, currency: 'USD' }, ALIBABA_PRICE_SOURCE],
    ]);
    expect(plan.totals).toMatchObject({ copies: 4, copyGiB: 4, prunes: 0, monthlyCostChange: [{ amount: 0.06, currency: 'USD' }], expectedHours: 0.02 });
  });

  it('after a run, finds every copy in place, exits 0 and leaves the job table as it was', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    const before = (await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir })).out;
    // Act
    const text = await cli(planArgs(), { cwd: dir });
    const json = await cli(planArgs('--json'), { cwd: dir });
    // Assess
    const after = (await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir })).out;
    const plan = PlanViewV1.parse(JSON.parse(json.out));
    expect(text.code).toBe(0);
    expect(text.out).toContain('nothing to do: every selected image is where the policies want it');
    expect(json.code).toBe(0);
    expect(plan).toMatchObject({ stateFound: true, changesPending: false, totals: { copies: 0, exists: 4 } });
    expect(after).toBe(before);
  });

  it('exits 1 and names the region when the source region cannot be read', async () => {
    // Prepare
    const dir = project();
    const env = cleanEnv({ IMAGE_REPLICATOR_ECS_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-x', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'closed-endpoint-secret' });
    // Act
    const result = await cli(['plan', '--config', 'policy.yaml', '--state-dir', 'state', '--json'], { cwd: dir, env });
    // Assess
    const plan = PlanViewV1.parse(JSON.parse(result.out));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^could not read alibaba default cn-hangzhou: NetworkError/m);
    expect(plan.items.map((item) => item.action)).toEqual(['unreadable']);
    expect(result.out + result.err).not.toContain('closed-endpoint-secret');
  });

  it('exits 2 on a policy file that is not valid', async () => {
    // Prepare
    const dir = project({ 'policy.yaml': 'version: 1\npolicies: []\n' });
    // Act
    const result = await cli(planArgs(), { cwd: dir });
    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain('policies');
  });
});

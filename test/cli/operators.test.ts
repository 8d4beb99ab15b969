import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HistoryViewV1, JobViewV1 } from '../../cli/job-view';
import { systemClock } from '../../shared/core/domain/clock';
import { SqliteJobStore } from '../../shared/stores/sqlite/sqlite-job-store';
import { SqliteMessageQueue } from '../../shared/stores/sqlite/sqlite-message-queue';
import { createImsSimulator } from '../../sim/huawei/ims-simulator';
import { ManualSimClock } from '../../sim/sim-clock';
import { cleanEnv, cli, project, runArgs, SMALL_SEED } from './helpers';

const statusJson = async (dir: string, ...filters: string[]) =>
  JobViewV1.array().parse(JSON.parse((await cli(['status', '--state-dir', 'state', '--json', ...filters], { cwd: dir })).out));

/** Every copy fails, and a failed job is not tried again within the round. */
const FAILING_SEED = SMALL_SEED.replace('copyFailureProbability: 0', 'copyFailureProbability: 1');
const ONE_ATTEMPT_POLICY = `version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
    maxAttempts: 1
`;

const HUAWEI_KEYS = { accessKeyId: 'HWCLIAK00000000000001', accessKeySecret: 'hw-cli-test-secret-not-for-production' };
const huaweiPolicy = (projects: Readonly<Record<string, string>>) => `version: 1
policies:
  - name: golden-huawei
    provider: huawei
    huawei: { agencyName: ims_admin_agency }
    source: { region: cn-north-4, select: { tags: { role: golden } } }
    destinations: [{ region: cn-east-3 }]
huaweiProjects:
${Object.entries(projects).map(([region, id]) => `  ${region}: ${id}`).join('\n')}
`;

/** Moves the saved simulator world an hour on: what happens between two runs an hour apart. */
const anHourLater = (dir: string) => {
  const file = join(dir, 'state', 'ecs-simulator.json');
  const world = JSON.parse(readFileSync(file, 'utf8')) as { clockMs: number };
  writeFileSync(file, JSON.stringify({ ...world, clockMs: world.clockMs + 3_600_000 }));
};

describe('status', () => {
  it('lists the jobs with their ids, and filters by policy, provider, region and status', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    // Act
    const table = await cli(['status', '--state-dir', 'state'], { cwd: dir });
    const beijing = await statusJson(dir, '--region', 'cn-beijing');
    const huawei = await statusJson(dir, '--provider', 'huawei');
    const other = await cli(['status', '--state-dir', 'state', '--policy', 'other'], { cwd: dir });
    const badProvider = await cli(['status', '--state-dir', 'state', '--provider', 'aws'], { cwd: dir });
    // Assess
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^job id +cloud +policy/);
    expect(table.out).toMatch(/^rj-[0-9a-f]+ +alibaba/m);
    expect(table.out).toContain('4 jobs: 4 available');
    expect(beijing.map((job) => job.destination.region)).toEqual(['cn-beijing', 'cn-beijing']);
    expect(huawei).toEqual([]);
    expect(other.out).toContain('match the filters');
    expect(badProvider.code).toBe(2);
  });

  it("shows the demo's jobs when only the demo has state here, and says where they come from", async () => {
    // Prepare: what `npm start` leaves behind, made here the quick way.
    const dir = project();
    await cli([...runArgs().slice(0, -2), '--state-dir', '.image-replicator/demo'], { cwd: dir });
    // Act
    const result = await cli(['status'], { cwd: dir });
    // Assess
    expect(result.code).toBe(0);
    expect(result.err).toContain(".image-replicator/demo; --state-dir chooses another folder");
    expect(result.out).toContain('4 jobs: 4 available');
  });

  it('exits 1 and says how to begin when there is no state yet', async () => {
    // Prepare
    const dir = project();
    // Act
    const result = await cli(['status'], { cwd: dir });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain('`image-replicator run` creates it');
  });

  it('refreshes with --watch until asked to stop, then exits 130', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    const stop = new AbortController();
    // Act
    const result = await cli(['status', '--state-dir', 'state', '--watch', '--interval', '0.1'], { cwd: dir, signal: stop.signal, onOut: () => stop.abort() });
    // Assess
    expect(result.code).toBe(130);
    expect(result.out).toContain('4 jobs: 4 available');
  });
});

describe('retry and cancel', () => {
  it('refuses to retry a job still running, cancels it, and refuses to retry it cancelled', async () => {
    // Prepare: a run stopped while a long copy runs.
    const dir = project({ 'seed.yaml': SMALL_SEED.replaceAll('sizeGiB: 1,', 'sizeGiB: 500,') });
    const stop = new AbortController();
    await cli(runArgs(), { cwd: dir, signal: stop.signal, onOut: (text) => text.includes('copying') && stop.abort() });
    const [running] = (await statusJson(dir, '--status', 'copying'));
    // Act
    const retry = await cli(['retry', running?.jobId ?? '', '--state-dir', 'state', '--config', 'policy.yaml'], { cwd: dir });
    const cancel = await cli(['cancel', running?.jobId ?? '', '--state-dir', 'state', '--config', 'policy.yaml', '--json'], { cwd: dir });
    const again = await cli(['retry', running?.jobId ?? '', '--state-dir', 'state', '--config', 'policy.yaml'], { cwd: dir });
    // Assess
    expect(retry.code).toBe(1);
    expect(retry.err).toMatch(/not retried: rj-\w+: it is still copying .*a job under way is not retried \(cancel it first\)/);
    expect(cancel.err).toBe('');
    expect(cancel.code).toBe(0);
    expect(JobViewV1.parse(JSON.parse(cancel.out))).toMatchObject({ jobId: running?.jobId, status: 'cancelled' });
    expect(again.code).toBe(1);
    expect(again.err).toContain('a cancelled job stays cancelled');
  });

  it('retries failed jobs once their round has cooled down, and the next run takes them', async () => {
    // Prepare
    const dir = project({ 'seed.yaml': FAILING_SEED, 'policy.yaml': ONE_ATTEMPT_POLICY });
    const failedRun = await cli(runArgs(), { cwd: dir });
    // Act
    const tooSoon = await cli(['retry', '--failed', '--state-dir', 'state', '--config', 'policy.yaml'], { cwd: dir });
    anHourLater(dir);
    const retried = await cli(['retry', '--failed', '--state-dir', 'state', '--config', 'policy.yaml'], { cwd: dir });
    const queued = await statusJson(dir);
    // Assess
    expect(failedRun.code).toBe(1);
    expect(failedRun.err).toMatch(/failed: 2 of 2 jobs ended without a copy/);
    expect(tooSoon.code).toBe(1);
    expect(tooSoon.err).toMatch(/it can be retried from \d{4}-/);
    expect(retried.code).toBe(0);
    expect(retried.out).toMatch(/queued again \(round 2\); `image-replicator run --no-sweep` starts it/);
    expect(queued.map((job) => [job.status, job.round])).toEqual([['queued', 2], ['queued', 2]]);
  });

  it('leaves a job stopping when its provider cannot stop the copy, says so in one line and exits 0', async () => {
    // Prepare: IMS cannot stop a cross-region copy; its simulator's clock stands still, so the copy runs on.
    const ims = await createImsSimulator({
      clock: new ManualSimClock('2026-11-01T00:00:00Z'),
      seed: { credentials: [HUAWEI_KEYS], regions: ['cn-north-4', 'cn-east-3'], agency: { name: 'ims_admin_agency' }, images: [{ region: 'cn-north-4', name: 'golden-web', sizeGiB: 10, tags: { role: 'golden' } }] },
    });
    try {
      const dir = project({ 'policy.yaml': huaweiPolicy(ims.projectIds) });
      const env = cleanEnv({ IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT: ims.endpointTemplate, HUAWEICLOUD_SDK_AK: HUAWEI_KEYS.accessKeyId, HUAWEICLOUD_SDK_SK: HUAWEI_KEYS.accessKeySecret });
      const stop = new AbortController();
      await cli(['run', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir, env, signal: stop.signal, onOut: (text) => text.includes('copying') && stop.abort() });
      const [running] = await statusJson(dir, '--status', 'copying');
      // Act
      const cancel = await cli(['cancel', running?.jobId ?? '', '--state-dir', 'state', '--config', 'policy.yaml'], { cwd: dir, env });
      const table = await cli(['status', '--state-dir', 'state'], { cwd: dir });
      // Assess
      const [after] = await statusJson(dir);
      expect(cancel.code).toBe(0);
      expect(cancel.out.trim().split('\n')).toEqual([
        `stopping ${running?.jobId ?? ''} (golden-web → cn-east-3): huawei cannot stop a running copy; \`image-replicator run --no-sweep\` watches it, deletes the copy when it ends and records the job cancelled then`,
      ]);
      expect(after).toMatchObject({ jobId: running?.jobId, status: 'stopping' });
      expect(table.out).toMatch(new RegExp(`^${running?.jobId ?? ''} .* stopping \\(cancel\\) `, 'm'));
    } finally {
      await ims.close();
    }
  });
});

describe('history', () => {
  it('shows a job that failed once and was tried again in its history: every status change, call, code and attempt', async () => {
    // Prepare: every copy fails, and a job gets two attempts.
    const dir = project({ 'seed.yaml': FAILING_SEED, 'policy.yaml': ONE_ATTEMPT_POLICY.replace('maxAttempts: 1', 'maxAttempts: 2') });
    await cli(runArgs(), { cwd: dir });
    const [job] = await statusJson(dir);
    // Act
    const text = await cli(['history', job?.jobId ?? '', '--state-dir', 'state'], { cwd: dir });
    const json = await cli(['history', job?.jobId ?? '', '--state-dir', 'state', '--json'], { cwd: dir });
    const missing = await cli(['history', 'rj-nope', '--state-dir', 'state'], { cwd: dir });
    // Assess
    const view = HistoryViewV1.parse(JSON.parse(json.out));
    const rows = text.out.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
    expect(text.code).toBe(0);
    expect(text.err).toBe('');
    expect(text.out).not.toMatch(/not yet|no transition history/);
    expect(text.out.split('\n')[0]).toContain(job?.jobId);
    expect(text.out).toMatch(/^at +event +status +round\/attempt +call +code +detail$/m);
    expect(rows.map((row) => row.split(/ {2,}/).slice(1, 4))).toEqual([
      ['created', 'queued', '1/1'],
      ['dispatch.claimed', 'queued → dispatching', '1/1'],
      ['copy.accepted', 'dispatching → copying', '1/1'],
      ['copy.observed', 'copying → queued', '1/2'],
      ['dispatch.claimed', 'queued → dispatching', '1/2'],
      ['copy.accepted', 'dispatching → copying', '1/2'],
      ['copy.observed', 'copying → failed', '1/2'],
    ]);
    expect(rows[3]).toMatch(/observeCopies +CopyFailed +ECS reported the copy as CreateFailed$/);
    expect(json.code).toBe(0);
    expect(view.job).toMatchObject({ jobId: job?.jobId, status: 'failed', attempt: 2 });
    expect(view.entries.map((e) => [e.event, e.from, e.status, e.attempt, e.call, e.code])).toContainEqual(['copy.observed', 'copying', 'queued', 2, 'observeCopies', 'CopyFailed']);
    expect(view.entries[0]).toEqual({ at: view.job.createdAt, event: 'created', status: 'queued', from: null, round: 1, attempt: 1, call: null, code: null, detail: null });
    expect(view.historyDropped).toBe(0);
    expect(missing.code).toBe(1);
  });

  it('says how many history entries were dropped, after the first one', async () => {
    // Prepare: a record whose long history lost entries in the middle.
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    const [listed] = await statusJson(dir);
    const store = new SqliteJobStore(join(dir, 'state', 'state.db'));
    const stored = await store.get(listed?.jobId ?? '');
    if (stored === undefined) throw new Error('the run made no job');
    await store.update({ ...stored, version: stored.version + 1, historyDropped: 7 });
    await store.close();
    // Act
    const text = await cli(['history', stored.id, '--state-dir', 'state'], { cwd: dir });
    const json = await cli(['history', stored.id, '--state-dir', 'state', '--json'], { cwd: dir });
    // Assess
    const lines = text.out.split('\n');
    const first = lines.findIndex((line) => / created +queued /.test(line));
    expect(text.code).toBe(0);
    expect(lines[first + 1]).toMatch(/^… +7 entries dropped$/);
    expect(HistoryViewV1.parse(JSON.parse(json.out)).historyDropped).toBe(7);
  });
});

describe('dead letters', () => {
  it('shows a letter a handler set aside and a message the queue gave up on in one shape, and redrives and drops them', async () => {
    // Prepare: one message that breaks its contract, one that failed every delivery.
    const dir = project();
    await cli(['replicate', 'cn-hangzhou', 'm-seed', '--state-dir', 'state'], { cwd: dir });
    const queue = new SqliteMessageQueue(join(dir, 'state', 'state.db'), 'start-copy', { clock: systemClock, maxReceives: 8, deadLetterQueue: 'dead-letters' });
    const broken = await queue.send('{"type":"replication.requested"}');
    const worn = await queue.send('{"type":"dispatch.requested","version":2,"reason":"worn out"}');
    queue.close();
    const db = new Database(join(dir, 'state', 'state.db'));
    db.prepare('UPDATE mq_messages SET dequeue_count = 8 WHERE message_id = ?').run(worn.messageId);
    db.close();
    await cli(runArgs('--no-sweep'), { cwd: dir });
    // Act
    const listed = await cli(['dead-letters', '--state-dir', 'state', '--json'], { cwd: dir });
    const table = await cli(['dead-letters', 'list', '--state-dir', 'state'], { cwd: dir });
    const entries = JSON.parse(listed.out) as { id: string; origin: string; letter: { function: string; code: string; messageId?: string } }[];
    const handlerLetter = entries.find((e) => e.origin === 'handler');
    const queueLetter = entries.find((e) => e.origin === 'queue');
    const redrive = await cli(['dead-letters', 'redrive', queueLetter?.id ?? '', '--state-dir', 'state'], { cwd: dir });
    const drop = await cli(['dead-letters', 'drop', handlerLetter?.id ?? '', '--state-dir', 'state'], { cwd: dir });
    const after = await cli(['dead-letters', '--state-dir', 'state', '--json'], { cwd: dir });
    // Assess
    expect(listed.code).toBe(0);
    expect(handlerLetter).toMatchObject({ letter: { function: 'start-copy', code: 'InvalidInput', messageId: broken.messageId } });
    expect(queueLetter).toMatchObject({ id: worn.messageId, letter: { function: 'start-copy', code: 'MaxReceivesExceeded' } });
    expect(table.out).toMatch(/^id +function +code/);
    expect(redrive.code).toBe(0);
    expect(redrive.out).toContain(`redrove ${worn.messageId} to start-copy`);
    expect(drop.code).toBe(0);
    expect(JSON.parse(after.out)).toEqual([]);
  });
});

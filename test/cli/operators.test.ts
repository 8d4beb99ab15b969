import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { JobViewV1 } from '../../cli/job-view';
import { systemClock } from '../../shared/core/domain/clock';
import { SqliteMessageQueue } from '../../shared/stores/sqlite/sqlite-message-queue';
import { cli, project, runArgs, SMALL_SEED } from './helpers';

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

  it('prints the job record for history and says there is no transition log yet', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    const [job] = await statusJson(dir);
    // Act
    const history = await cli(['history', job?.jobId ?? '', '--state-dir', 'state'], { cwd: dir });
    const missing = await cli(['history', 'rj-nope', '--state-dir', 'state'], { cwd: dir });
    // Assess
    expect(history.code).toBe(0);
    expect(history.err).toContain('keeps no transition history yet');
    expect(history.out).toContain(job?.jobId);
    expect(missing.code).toBe(1);
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

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { JobViewV1 } from '../../cli/job-view';
import { cli, project, runArgs } from './helpers';

const stateDb = (dir: string) => new Database(join(dir, 'state', 'state.db'));

describe('damage is contained', () => {
  it('a corrupt job row is reported by id by status, set aside by the next run, and everything else goes on', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    const db = stateDb(dir);
    const [victim] = db.prepare('SELECT id FROM jobs ORDER BY id LIMIT 1').all() as { id: string }[];
    db.prepare("UPDATE jobs SET body = '{not json' WHERE id = ?").run(victim?.id);
    db.close();
    // Act
    const status = await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir });
    const run = await cli(runArgs(), { cwd: dir });
    const aside = await cli(['status', '--state-dir', 'state', '--set-aside', '--json'], { cwd: dir });
    const after = await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir });
    // Assess
    expect(status.code).toBe(0);
    expect(JobViewV1.array().parse(JSON.parse(status.out))).toHaveLength(3);
    expect(status.err).toContain(`job row ${victim?.id} cannot be read and was skipped`);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`set aside the unreadable job row ${victim?.id}`);
    expect(JSON.parse(aside.out)).toMatchObject([{ id: victim?.id }]);
    // The sweep made the job afresh, and the copy that already existed was adopted: still four jobs, all available.
    expect(JobViewV1.array().parse(JSON.parse(after.out)).map((job) => job.status)).toEqual(['available', 'available', 'available', 'available']);
  });

  it('a corrupt queue row is set aside on the dead-letter queue and does not fail this run or the next', async () => {
    // Prepare
    const dir = project();
    await cli(['replicate', 'cn-hangzhou', 'm-one', '--state-dir', 'state'], { cwd: dir });
    const db = stateDb(dir);
    db.prepare("UPDATE mq_messages SET enqueued_at = 'yesterday', body = X'00ff'").run();
    db.close();
    // Act
    const first = await cli(runArgs(), { cwd: dir });
    const second = await cli(runArgs(), { cwd: dir });
    const letters = await cli(['dead-letters', '--state-dir', 'state', '--json'], { cwd: dir });
    // Assess
    expect(first.code).toBe(1);
    expect(first.err).toMatch(/^failed: 1 message set aside by the queues, unreadable or failing every delivery; see `image-replicator dead-letters`/m);
    expect(first.err).not.toContain('ZodError');
    expect(second.code).toBe(0);
    expect(JSON.parse(letters.out)).toMatchObject([{ origin: 'queue', letter: { function: 'start-copy', code: 'CorruptQueueRow' } }]);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobViewV1 } from '../../cli/job-view';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState } from '../../shared/core/domain/image';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { newJob } from '../../shared/core/domain/job-transitions';
import { planJob } from '../../shared/core/domain/policy';
import { deadLetter } from '../../shared/platform/fc/dead-letter';
import { MnsMessageQueue } from '../../shared/stores/mns/mns-message-queue';
import { TablestoreJobStore } from '../../shared/stores/tablestore/tablestore-job-store';
import { MnsWireServer } from '../fakes/mns-wire/mns-wire-server';
import { TablestoreWireFake } from '../fakes/tablestore-wire/server';
import { testPolicyConfig } from '../helpers/policy';
import { cleanEnv, cli, tempDir } from './helpers';

/** The operator's keys; the fakes accept only these. */
const KEYS = { accessKeyId: 'LTAI-operator', accessKeySecret: 'operator-secret-never-printed', securityToken: 'operator-sts-token' };
const QUEUES = { startCopy: 'ir-start-copy', notify: 'ir-notify', poll: 'ir-poll', deadLetters: 'ir-dead-letters' };
const HOURS_AGO = new Date(Date.now() - 3 * 3_600_000);

const jobsOf = (config = testPolicyConfig()): Job[] => {
  const policy = config.policies[0];
  if (policy === undefined) throw new Error('the test policy has no policy');
  return policy.destinations.map((destination, index) => {
    const planned = planJob(policy, destination, { id: `m-cloud${index}`, region: policy.source.region, name: `golden-${index}`, state: ImageState.Available, sizeGiB: 20, tags: {} });
    return newJob(planned.id, planned.spec, ImageState.Available, HOURS_AGO);
  });
};

describe('operator commands against the deployed table and queues (--cloud)', () => {
  let tablestore: TablestoreWireFake;
  let mns: MnsWireServer;
  let mnsClock: ManualClock;
  let env: NodeJS.ProcessEnv;
  let store: TablestoreJobStore;
  let queue: (name: string) => MnsMessageQueue;
  const jobs = jobsOf();

  beforeAll(async () => {
    tablestore = await TablestoreWireFake.start({ instanceName: 'replicator', ...KEYS });
    mnsClock = new ManualClock(new Date());
    mns = new MnsWireServer({ ...KEYS, clock: mnsClock, maxLongPollMs: 200 });
    const { endpoint } = await mns.start();
    Object.values(QUEUES).forEach((name) => mns.createQueue(name));
    env = cleanEnv({
      IMAGE_REPLICATOR_REGION: 'cn-hangzhou',
      IMAGE_REPLICATOR_OTS_INSTANCE: 'replicator',
      IMAGE_REPLICATOR_OTS_ENDPOINT: tablestore.endpoint,
      IMAGE_REPLICATOR_TABLE: 'jobs',
      IMAGE_REPLICATOR_START_COPY_QUEUE: QUEUES.startCopy,
      IMAGE_REPLICATOR_NOTIFY_QUEUE: QUEUES.notify,
      IMAGE_REPLICATOR_POLL_QUEUE: QUEUES.poll,
      IMAGE_REPLICATOR_DEAD_LETTER_QUEUE: QUEUES.deadLetters,
      IMAGE_REPLICATOR_MNS_ENDPOINT: endpoint,
      IMAGE_REPLICATOR_ACCOUNT_ID: '1234567890',
      ALIBABA_CLOUD_ACCESS_KEY_ID: KEYS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: KEYS.securityToken,
    });
    store = new TablestoreJobStore({ endpoint: tablestore.endpoint, instanceName: 'replicator', tableName: 'jobs', credentials: KEYS });
    await store.ensureTable();
    const [failed, queued] = jobs;
    if (failed === undefined || queued === undefined) throw new Error('the test policy needs two destinations');
    await store.putIfAbsent({ ...failed, status: JobStatus.Failed, finishedAt: HOURS_AGO.toISOString(), lastError: { code: 'CopyFailed', message: 'the copy failed', at: HOURS_AGO.toISOString() } });
    await store.putIfAbsent(queued);
    queue = (name) => new MnsMessageQueue({ accountId: '1234567890', region: 'cn-hangzhou', endpoint, credentials: KEYS, queueName: name });
  });

  afterAll(async () => {
    await mns.close();
    await tablestore.close();
  });

  it('status --cloud lists the jobs of the Tablestore table, in the one JSON shape', async () => {
    // Act
    const table = await cli(['status', '--cloud'], { env });
    const json = await cli(['status', '--cloud', '--json'], { env });
    // Assess
    expect(table.code).toBe(0);
    for (const job of jobs) expect(table.out).toContain(job.id);
    expect(JobViewV1.array().parse(JSON.parse(json.out)).map((job) => job.jobId).sort()).toEqual(jobs.map((job) => job.id).sort());
    expect(table.out + table.err + json.out).not.toContain(KEYS.accessKeySecret);
  });

  it('reads the same variables from a profile file', async () => {
    // Prepare
    const dir = tempDir();
    writeFileSync(join(dir, 'prod.env'), Object.entries(env).filter(([k]) => k.startsWith('IMAGE_REPLICATOR_') || k.startsWith('ALIBABA_CLOUD_')).map(([k, v]) => `${k}=${v ?? ''}`).join('\n'));
    // Act
    const result = await cli(['status', '--profile', 'prod.env', '--json'], { cwd: dir, env: cleanEnv() });
    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toHaveLength(2);
  });

  it('names the missing variables, never a value, and exits 2', async () => {
    // Act
    const result = await cli(['status', '--cloud'], { env: cleanEnv({ IMAGE_REPLICATOR_REGION: 'cn-hangzhou', ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEYS.accessKeySecret }) });
    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain('IMAGE_REPLICATOR_OTS_INSTANCE');
    expect(result.err).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
    expect(result.err).not.toContain(KEYS.accessKeySecret);
  });

  it('retry --cloud reopens a failed job in the table and asks start-copy to dispatch on its queue', async () => {
    // Prepare
    const [failed] = jobs;
    // Act
    const result = await cli(['retry', failed?.id ?? '', '--cloud'], { env });
    // Assess
    const [message] = await queue(QUEUES.startCopy).receive(1, 30);
    expect(result.code).toBe(0);
    expect(result.out).toContain('queued again (round 2); start-copy dispatches it');
    expect(await store.get(failed?.id ?? '')).toMatchObject({ status: JobStatus.Queued, round: 2 });
    expect(JSON.parse(message?.body ?? '{}')).toMatchObject({ type: 'dispatch.requested', reason: 'operator retry' });
  });

  it('cancel --cloud stops a queued job in the table, and refuses one already finished', async () => {
    // Prepare
    const [, queued] = jobs;
    // Act
    const cancel = await cli(['cancel', queued?.id ?? '', '--cloud'], { env });
    const again = await cli(['cancel', queued?.id ?? '', '--cloud'], { env });
    // Assess
    expect(cancel.code).toBe(0);
    expect(await store.get(queued?.id ?? '')).toMatchObject({ status: JobStatus.Cancelled });
    expect(again.code).toBe(1);
    expect(again.err).toContain('JobFinished');
  });

  it('dead-letters --cloud lists a letter and a raw message alike, redrives the message to its queue and drops the letter', async () => {
    // Prepare
    const dlq = queue(QUEUES.deadLetters);
    await dlq.send(JSON.stringify(deadLetter({ function: 'notify', code: 'InvalidInput', reason: 'message x: eventId: Required', raw: '{"type":"notification.requested"}', messageId: 'x', at: new Date() })));
    const raw = await dlq.send('{"type":"dispatch.requested","version":2,"reason":"moved by MNS"}');
    // Act
    const listed = await cli(['dead-letters', '--cloud', '--json'], { env });
    mnsClock.advance(2_000);
    const entries = JSON.parse(listed.out) as { id: string; origin: string; letter: { function: string; code: string } }[];
    const letter = entries.find((e) => e.origin === 'handler');
    const redrive = await cli(['dead-letters', 'redrive', raw.messageId, '--cloud'], { env });
    mnsClock.advance(2_000);
    const drop = await cli(['dead-letters', 'drop', letter?.id ?? '', '--cloud'], { env });
    mnsClock.advance(2_000);
    const after = await cli(['dead-letters', '--cloud', '--json'], { env });
    // Assess
    const moved = await queue(QUEUES.startCopy).receive(10, 30);
    expect(listed.code).toBe(0);
    expect(entries).toHaveLength(2);
    expect(letter).toMatchObject({ letter: { function: 'notify', code: 'InvalidInput' } });
    expect(entries.find((e) => e.origin === 'queue')).toMatchObject({ id: raw.messageId, letter: { function: 'start-copy', code: 'MaxReceivesExceeded' } });
    expect(redrive.code).toBe(0);
    expect(redrive.out).toContain(`to ${QUEUES.startCopy}`);
    expect(moved.map((m) => m.body)).toContain('{"type":"dispatch.requested","version":2,"reason":"moved by MNS"}');
    expect(drop.code).toBe(0);
    expect(JSON.parse(after.out)).toEqual([]);
  });
});

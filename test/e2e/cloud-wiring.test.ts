import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/webhook-receiver';
import { makeNotifyHandler } from '../../functions/notify/handler';
import { makePollStatusHandler } from '../../functions/poll-status/handler';
import { makeStartCopyHandler } from '../../functions/start-copy/handler';
import { MnsMessageQueue } from '../../shared/stores/mns/mns-message-queue';
import { TablestoreJobStore } from '../../shared/stores/tablestore/tablestore-job-store';
import { ManualClock } from '../../shared/core/domain/clock';
import { JobStatus } from '../../shared/core/domain/job';
import type { FcContext, FcHandler } from '../../shared/platform/fc/context';
import { createCloudWiring } from '../../shared/platform/fc/cloud-wiring';
import { createEcsSimulator, type EcsSimulator } from '../../sim/ecs-simulator';
import { ManualSimClock } from '../../sim/sim-clock';
import { TablestoreWireFake } from '../fakes/tablestore-wire/server';
import { MnsWireServer } from '../fakes/mns-wire/mns-wire-server';

/** One STS credential set, as FC hands the function role's keys on every invocation. */
const STS = { accessKeyId: 'STS.cloud-e2e', accessKeySecret: 'cloud-e2e-secret-value', securityToken: 'cloud-e2e-sts-token' };
const WEBHOOK_SECRET = 'cloud-e2e-webhook-secret-0123';
const QUEUES = { startCopy: 'ir-start-copy', notify: 'ir-notify', poll: 'ir-poll', deadLetters: 'ir-dead-letters' };

/**
 * The FC composition root (`createCloudWiring`, what each function's index.ts runs at cold start)
 * end to end: Tablestore and MNS wire fakes and the ECS simulator, all reached by the real SDK
 * clients with one STS credential set, queue deliveries shaped as FC's MNS trigger hands them.
 */
describe('the cloud wiring end to end over wire fakes', () => {
  let tablestore: TablestoreWireFake;
  let mns: MnsWireServer;
  let simulator: EcsSimulator;
  let receiver: WebhookReceiver;
  let simClock: ManualSimClock;
  let handlers: { startCopy: FcHandler; pollStatus: FcHandler; notify: FcHandler };
  let consumers: { startCopy: MnsMessageQueue; notify: MnsMessageQueue; deadLetters: MnsMessageQueue };
  const stdout: string[] = [];
  let env: Record<string, string>;
  let invocation = 0;
  const context = (): FcContext => ({ requestId: `fc-req-${(invocation += 1)}`, credentials: STS, accountId: '1234567890', region: 'cn-hangzhou' });

  beforeAll(async () => {
    tablestore = await TablestoreWireFake.start({ instanceName: 'replicator', ...STS });
    mns = new MnsWireServer({ ...STS, clock: new ManualClock() });
    const { endpoint: mnsEndpoint } = await mns.start();
    Object.values(QUEUES).forEach((name) => mns.createQueue(name));
    simClock = new ManualSimClock(new Date());
    simulator = await createEcsSimulator({
      clock: simClock,
      wallClock: simClock,
      seed: {
        credentials: [STS],
        regions: ['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1'],
        images: [{ region: 'cn-hangzhou', name: 'golden-cloud', sizeGiB: 30, tags: { role: 'golden' } }],
      },
    });
    receiver = await startWebhookReceiver({ secret: WEBHOOK_SECRET });
    env = {
      IMAGE_REPLICATOR_REGION: 'cn-hangzhou',
      IMAGE_REPLICATOR_POLICY: `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }, { region: ap-southeast-1 }]
    webhooks: [{ name: ops, url: "${receiver.url}", secretEnv: OPS_WEBHOOK_SECRET, allowInsecureLoopback: true }]
`,
      IMAGE_REPLICATOR_OTS_INSTANCE: 'replicator',
      IMAGE_REPLICATOR_OTS_ENDPOINT: tablestore.endpoint,
      IMAGE_REPLICATOR_TABLE: 'jobs',
      IMAGE_REPLICATOR_START_COPY_QUEUE: QUEUES.startCopy,
      IMAGE_REPLICATOR_NOTIFY_QUEUE: QUEUES.notify,
      IMAGE_REPLICATOR_POLL_QUEUE: QUEUES.poll,
      IMAGE_REPLICATOR_DEAD_LETTER_QUEUE: QUEUES.deadLetters,
      IMAGE_REPLICATOR_MNS_ENDPOINT: mnsEndpoint,
      IMAGE_REPLICATOR_ACCOUNT_ID: '1234567890',
      IMAGE_REPLICATOR_ECS_ENDPOINT: simulator.url,
      IMAGE_REPLICATOR_LOG_LEVEL: 'info',
      OPS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    await new TablestoreJobStore({ endpoint: tablestore.endpoint, instanceName: 'replicator', tableName: 'jobs', credentials: STS }).ensureTable();
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      stdout.push(String(chunk));
      return true;
    });
    try {
      handlers = {
        startCopy: makeStartCopyHandler(createCloudWiring(env, { webhookSecrets: false })),
        pollStatus: makePollStatusHandler(createCloudWiring(env, { webhookSecrets: false })),
        notify: makeNotifyHandler(createCloudWiring(env, { webhookSecrets: true })),
      };
    } finally {
      process.stdout.write = write;
    }
    const consumer = (queueName: string) => new MnsMessageQueue({ accountId: '1234567890', region: 'cn-hangzhou', endpoint: mnsEndpoint, credentials: STS, queueName });
    consumers = { startCopy: consumer(QUEUES.startCopy), notify: consumer(QUEUES.notify), deadLetters: consumer(QUEUES.deadLetters) };
  });

  afterAll(async () => {
    await receiver.close();
    await simulator.close();
    await mns.close();
    await tablestore.close();
  });

  /** What FC's MNS trigger does with IsBase64Decode: true — CloudEvents with the plain body. */
  const deliver = async (queue: MnsMessageQueue, handler: FcHandler): Promise<number> => {
    const messages = await queue.receive(10, 60);
    if (messages.length === 0) return 0;
    const event = messages.map((m) => ({ id: m.messageId, source: 'MNS-trigger', specversion: '1.0', type: 'mns:Queue:SendMessage', data: { messageId: m.messageId, messageBody: m.body } }));
    await handler(Buffer.from(JSON.stringify(event)), context());
    await Promise.all(messages.map((m) => queue.ack(m.receiptHandle)));
    return messages.length;
  };

  const quietly = async <T>(run: () => Promise<T>): Promise<T> => {
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      stdout.push(String(chunk));
      return true;
    });
    try {
      return await run();
    } finally {
      process.stdout.write = write;
    }
  };

  it('replicates an image announced by an ActionTrail event, tracks it in Tablestore, and notifies through MNS', async () => {
    // Prepare
    const [source] = simulator.inspect.images('cn-hangzhou');
    const event = {
      id: 'ev-cloud-1', source: 'acs.actiontrail', specversion: '1.0', type: 'ecs:ActionTrail:ApiCall',
      data: { eventId: 'ev-cloud-1', eventName: 'CreateImage', acsRegion: 'cn-hangzhou', responseElements: { ImageId: source!.id } },
    };
    // Act: the wiring runs on the system clock, so the process's Date follows the simulator's
    // (only Date: timers and sockets stay real), as real time moves for all of them in a deployment.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(simClock.now());
    await quietly(async () => {
      await handlers.startCopy(Buffer.from(JSON.stringify(event)), context());
      for (let round = 0; round < 30; round += 1) {
        simClock.advanceSeconds(15 * 60);
        vi.setSystemTime(simClock.now());
        await handlers.pollStatus(Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'poll', payload: '' })), context());
        while ((await deliver(consumers.startCopy, handlers.startCopy)) > 0);
        while ((await deliver(consumers.notify, handlers.notify)) > 0);
        if (new Set(receiver.received.map((n) => n.eventId)).size === 2) break;
      }
    }).finally(() => vi.useRealTimers());
    // Assess
    const store = new TablestoreJobStore({ endpoint: tablestore.endpoint, instanceName: 'replicator', tableName: 'jobs', credentials: STS });
    const jobs = await store.list();
    expect(jobs.map((job) => job.status)).toEqual([JobStatus.Available, JobStatus.Available]);
    expect(await store.listInFlight()).toEqual([]);
    expect(simulator.inspect.copyCounts().map((c) => c.copies)).toEqual([1, 1]);
    expect(receiver.received.map((n) => n.body.type)).toEqual(['replication.succeeded', 'replication.succeeded']);
    expect(stdout.some((line) => line.includes('"requestId":"fc-req-'))).toBe(true);
    expect(stdout.join('')).not.toContain(STS.accessKeySecret);
    expect(stdout.join('')).not.toContain(STS.securityToken);
  });

  it('sets a malformed queue message aside on the dead-letter queue and acknowledges the rest of the batch', async () => {
    const batch = [
      { id: 'a', source: 'MNS-trigger', specversion: '1.0', type: 'mns:Queue:SendMessage', data: { messageId: 'bad-1', messageBody: '{"type":"replication.requested"}' } },
      { id: 'b', source: 'MNS-trigger', specversion: '1.0', type: 'mns:Queue:SendMessage', data: { messageId: 'ok-1', messageBody: '{"type":"dispatch.requested","version":1,"reason":"test"}' } },
    ];
    const result = await quietly(() => handlers.startCopy(Buffer.from(JSON.stringify(batch)), context()));
    const [letter] = await consumers.deadLetters.receive(1, 30);
    expect(result).toMatchObject({ deadLettered: 1 });
    expect(JSON.parse(letter!.body)).toMatchObject({ function: 'start-copy', code: 'InvalidInput', reason: expect.stringContaining('bad-1') });
  });

  it('gives every function instance the same chat webhook outboxes, kept in the jobs’ table', async () => {
    // Prepare: two notify instances, each with its own cold start
    const first = createCloudWiring(env, { webhookSecrets: true }).dependencies(STS);
    const second = createCloudWiring(env, { webhookSecrets: true }).dependencies(STS);

    // Act: one records a digest mark; the other reads it, and cannot write over it
    const written = await first.outbox?.write('golden/ding', '{"digest":{"slotMs":1}}', 0);
    const seen = await second.outbox?.read('golden/ding');
    const stale = await second.outbox?.write('golden/ding', '{"digest":{"slotMs":0}}', 0);

    // Assess
    expect(written?.version).toBe(1);
    expect(seen).toEqual({ key: 'golden/ding', version: 1, body: '{"digest":{"slotMs":1}}' });
    expect(stale).toBeUndefined();
    expect(tablestore.requests.some((request) => request.operation === 'PutRow' && JSON.stringify(request.primaryKeys[0]?.[0]?.value) === JSON.stringify({ type: 'string', value: 'outbox:golden/ding' }))).toBe(true);
  });

  it('fails at cold start, naming the variable, when the environment is incomplete', () => {
    expect(() => createCloudWiring({ IMAGE_REPLICATOR_REGION: 'cn-hangzhou' }, { webhookSecrets: false })).toThrow(/IMAGE_REPLICATOR_OTS_INSTANCE/);
  });
});

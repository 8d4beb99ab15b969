import { describe, expect, it } from 'vitest';
import { makeNotifyHandler } from '../../functions/notify/handler';
import { makeStartCopyHandler } from '../../functions/start-copy/handler';
import { RetryableError } from '../../shared/core/domain/errors';
import type { FcHandler } from '../../shared/platform/fc/context';
import { decodeStartCopyEvent } from '../../shared/platform/fc/events';
import { type DeadLetterV1 as DeadLetter, MAX_RAW_CHARS } from '../../shared/platform/fc/dead-letter';
import { NotifyMessage, StartCopyMessage } from '../../shared/core/messages/messages';
import type { RecordingQueue } from '../fakes/recording-queue';
import { fcContext } from '../helpers/context';
import { NAMES_A_FIELD, dispatchRequested, notificationRequested, queueItem, replicationRequested } from './kit/fc-inputs';
import { type FakeWorld, GOLDEN_IMAGE, createFakeWorld } from './kit/handler-wiring';
import { mutate, mutateText, toJsonText } from './kit/mutate';
import type { FuzzRandom } from './kit/random';
import { runCases } from './kit/run-cases';
import { FUZZ_SEEDS } from './kit/seeds';

const CASES_PER_HANDLER = 250;
/** invocation.ts keeps at most 4096 characters of an input in a dead letter, plus its message id. */
const MAX_RAW = MAX_RAW_CHARS;

interface MessageCase {
  readonly items: readonly unknown[];
  readonly steps: readonly string[];
}

type Target = 'start-copy' | 'notify';

const goodBody = (target: Target, random: FuzzRandom, world: { jobId: string; eventId: string }): Record<string, unknown> =>
  target === 'notify'
    ? notificationRequested(random.chance(0.5) ? world.jobId : 'rj-unknown', world.eventId)
    : random.chance(0.6)
      ? replicationRequested(random.chance(0.7) ? GOLDEN_IMAGE : 'm-absent0001')
      : dispatchRequested();

const generate = (target: Target, world: { jobId: string; eventId: string }) => (random: FuzzRandom): MessageCase => {
  const items: unknown[] = [];
  const steps: string[] = [];
  const count = random.int(1, 6);
  for (let index = 0; index < count; index += 1) {
    const id = `msg-${index}`;
    const encoding = random.pick(['base64', 'plain'] as const);
    const body = goodBody(target, random, world);
    const roll = random.next();
    if (roll < 0.35) {
      items.push(queueItem(id, body, encoding));
    } else if (roll < 0.8) {
      const mutated = mutate(random, body);
      items.push(queueItem(id, toJsonText(mutated.value), encoding));
      steps.push(...mutated.steps.map((step) => `${id} body: ${step}`));
    } else if (roll < 0.92) {
      const damaged = mutateText(random, JSON.stringify(body));
      items.push(queueItem(id, damaged.text, encoding));
      steps.push(`${id} body text: ${damaged.step}`);
    } else {
      // The nesting bomb in an envelope is the events suite's business; here the envelope is only bent.
      const mutated = mutate(random, queueItem(id, body, encoding), 2, { depths: [30, 400] });
      items.push(mutated.value);
      steps.push(...mutated.steps.map((step) => `${id} envelope: ${step}`));
    }
  }
  return { items, steps };
};

/** The contract decides, item by item, what the handler must do: process it or set it aside. */
const shouldProcess = (target: Target, item: unknown): boolean => {
  const [decoded] = decodeStartCopyEvent(Buffer.from(toJsonText(item)));
  if (decoded === undefined || decoded.kind === 'invalid') return false;
  if (decoded.kind !== 'queue-message') return target === 'start-copy';
  let json: unknown;
  try {
    json = JSON.parse(decoded.body);
  } catch {
    return false;
  }
  return (target === 'notify' ? NotifyMessage : StartCopyMessage).safeParse(json).success;
};

/** How many inputs each suite sent down each path: a fuzz run that never dead-letters proves nothing. */
const tally = { processed: 0, deadLettered: 0 };

const checkCase = async (target: Target, input: MessageCase, world: FakeWorld): Promise<string | undefined> => {
  const handler: FcHandler = target === 'notify' ? makeNotifyHandler(world.wiring) : makeStartCopyHandler(world.wiring);
  const expectedGood = input.items.filter((item) => shouldProcess(target, item)).length;
  const expectedBad = input.items.length - expectedGood;
  let outcome: { results: unknown[]; deadLettered: number };
  try {
    outcome = (await handler(Buffer.from(toJsonText(input.items)), fcContext())) as typeof outcome;
  } catch (error) {
    return `the handler threw ${(error as Error).name} (${(error as { code?: string }).code ?? 'no code'}): ${(error as Error).message.slice(0, 200)}`;
  }
  if (outcome.results.length !== expectedGood) return `processed ${outcome.results.length} inputs, the contract accepts ${expectedGood}`;
  if (outcome.deadLettered !== expectedBad || world.deadLetters.sent.length !== expectedBad) {
    return `dead-lettered ${outcome.deadLettered} (queue holds ${world.deadLetters.sent.length}), the contract refuses ${expectedBad}`;
  }
  for (const sent of world.deadLetters.sent) {
    const letter = JSON.parse(sent.body) as DeadLetter;
    if (letter.function !== target || letter.code !== 'InvalidInput') return `dead letter of ${letter.function} with code ${letter.code}`;
    if (!NAMES_A_FIELD.test(letter.reason)) return `dead letter reason names no field: ${letter.reason.slice(0, 200)}`;
    if (letter.raw.length > MAX_RAW) return `dead letter keeps ${letter.raw.length} characters of input`;
  }
  tally.processed += expectedGood;
  tally.deadLettered += expectedBad;
  const setAside = world.logLines.filter((line) => line.includes('input set aside on the dead-letter queue')).length;
  if (setAside !== expectedBad) return `${setAside} "set aside" log lines for ${expectedBad} bad inputs`;
  return undefined;
};

describe('fuzz: queue messages through the real handlers on in-memory fakes', () => {
  it.each(['start-copy', 'notify'] as const)(
    `%s processes the valid messages of a batch and dead-letters each bad one with a reason naming its field (${CASES_PER_HANDLER} cases)`,
    async (target) => {
      // Prepare
      const probe = await createFakeWorld();
      const ids = { jobId: probe.finishedJob.id, eventId: probe.finishedJob.notification.eventId ?? '' };
      const seed = FUZZ_SEEDS.queueMessages + (target === 'notify' ? 1 : 0);
      tally.processed = 0;
      tally.deadLettered = 0;

      // Act
      const outcome = await runCases({
        seed,
        count: CASES_PER_HANDLER,
        generate: generate(target, ids),
        show: (input) => `${input.steps.join('; ')} :: ${toJsonText(input.items)}`,
        check: async (input) => checkCase(target, input, await createFakeWorld()),
      });

      // Assess
      expect(outcome.report).toBe('');
      expect(outcome.ran).toBe(CASES_PER_HANDLER);
      expect(tally.processed).toBeGreaterThan(CASES_PER_HANDLER / 2);
      expect(tally.deadLettered).toBeGreaterThan(CASES_PER_HANDLER / 2);
      console.info(`${target}: ${tally.processed} inputs processed, ${tally.deadLettered} dead-lettered`);
    },
  );

  it('sets a poison message aside, processes its neighbours, and answers normally so the trigger does not redeliver', async () => {
    // Prepare
    const world = await createFakeWorld();
    const batch = [
      queueItem('good-1', replicationRequested(GOLDEN_IMAGE)),
      queueItem('poison', { ...replicationRequested(GOLDEN_IMAGE), source: { region: 'Hangzhou!', imageId: GOLDEN_IMAGE } }),
      queueItem('good-2', dispatchRequested()),
    ];

    // Act
    const outcome = (await makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(batch)), fcContext())) as { results: unknown[]; deadLettered: number };

    // Assess
    expect(outcome).toMatchObject({ deadLettered: 1 });
    expect(outcome.results).toHaveLength(2);
    const letter = JSON.parse(world.deadLetters.sent[0]!.body) as DeadLetter;
    expect(letter).toMatchObject({ function: 'start-copy', code: 'InvalidInput' });
    expect(letter.reason).toMatch(/message poison: source\.region: /);
    expect(world.images.copies.length).toBeGreaterThan(0);
  });

  it('puts the unlucky message back on its queue after the rest of the batch is done when the cloud is briefly unavailable', async () => {
    // Prepare
    const world = await createFakeWorld();
    const listImages = world.images.listImages.bind(world.images);
    let calls = 0;
    world.images.listImages = async (region, query) => {
      calls += 1;
      if (calls === 1) throw new RetryableError('ServiceUnavailable', 'ECS is briefly unavailable');
      return listImages(region, query);
    };
    const batch = [
      queueItem('unlucky', replicationRequested(GOLDEN_IMAGE)),
      queueItem('poison', '{"type":"replication.requested"'),
      queueItem('lucky', replicationRequested(GOLDEN_IMAGE)),
    ];

    // Act
    const attempt = makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(batch)), fcContext());

    // Assess: the batch is acknowledged; only the message that failed comes back, later, alone
    await expect(attempt).resolves.toMatchObject({ deadLettered: 1, requeued: 1, retry: { code: 'ServiceUnavailable' } });
    expect(world.deadLetters.sent).toHaveLength(1);
    expect(calls).toBeGreaterThan(1);
    expect(world.images.copies.length).toBeGreaterThan(0);
    const queue = world.wiring.dependencies(undefined).queues.startCopy as RecordingQueue;
    expect(queue.sent.map((m) => ({ ...(JSON.parse(m.body) as object), delaySeconds: m.delaySeconds }))).toMatchObject([{ type: 'message.requeued', firstMessageId: 'unlucky', attempts: 1, delaySeconds: 10 }]);
  });
});

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import type { Deadline } from '../../shared/core/domain/deadline';
import { InvalidInputError, RetryableError } from '../../shared/core/domain/errors';
import { DeadLetterV1 } from '../../shared/platform/fc/dead-letter';
import { type InputRecord, processBatch, SettledMessages } from '../../shared/platform/fc/invocation';
import { MAX_MESSAGE_ATTEMPTS, RequeuedMessageV1 } from '../../shared/platform/fc/requeue';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { RecordingQueue } from '../fakes/recording-queue';

/** What an input of these batches does when run. */
type Behaviour = 'done' | 'throttled' | 'poison';

interface Input {
  readonly id: string;
  readonly behaviour: Behaviour;
  /** A queue message (the default), a message that could not even be read, or a timer. */
  readonly shape?: 'message' | 'unreadable' | 'timer';
  /** Tries it had before this delivery, as its requeue envelope says; and the id it was first sent with. */
  readonly attempts?: number;
  readonly firstMessageId?: string;
  /** The body, out of its envelope; a body of its own by default. */
  readonly body?: string;
}

const body = (id: string): string => JSON.stringify({ type: 'replication.requested', id });

const describeInput = (input: Input): InputRecord => {
  if (input.shape === 'timer') return { raw: 'timer tick' };
  if (input.shape === 'unreadable') return { raw: `<${input.id}>`, messageId: input.id };
  return { raw: input.body ?? body(input.id), messageId: input.id, message: { attempts: input.attempts ?? 0, firstMessageId: input.firstMessageId ?? input.id } };
};

/** One function's batches over fakes at the queue port: its own queue, the dead-letter queue, one manual clock. */
const batchWorld = () => {
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  const queue = new RecordingQueue();
  const deadLetters = new RecordingQueue();
  const runs: string[] = [];
  // One instance's memory, kept across its deliveries, as makeHandler keeps it.
  const settled = new SettledMessages();
  const deliver = (inputs: readonly Input[], deadline?: Deadline) =>
    processBatch({
      functionName: 'start-copy',
      inputs,
      describe: describeInput,
      run: async (input: Input) => {
        await Promise.resolve();
        runs.push(input.id);
        if (input.behaviour === 'throttled') throw new RetryableError('Throttling.User', `${input.id}: the request was denied due to user flow control`);
        if (input.behaviour === 'poison') throw new InvalidInputError(`message ${input.id}: source: required`);
        return input.id;
      },
      logger: silentLogger,
      deadLetters,
      requeue: queue,
      settled,
      now: () => clock.now(),
      deadline,
    });
  const copies = () => queue.sent.map((sent) => ({ ...RequeuedMessageV1.parse(JSON.parse(sent.body)), delaySeconds: sent.delaySeconds }));
  const letters = () => deadLetters.sent.map((sent) => DeadLetterV1.parse(JSON.parse(sent.body)));
  return { clock, queue, deadLetters, runs, deliver, copies, letters };
};

describe('a batch of queue messages settles each message on its own', () => {
  it('acknowledges the batch and puts back only the message that failed retryably, delayed', async () => {
    // Prepare
    const world = batchWorld();

    // Act
    const answer = await world.deliver([
      { id: 'a', behaviour: 'done' },
      { id: 'b', behaviour: 'throttled' },
      { id: 'c', behaviour: 'done' },
    ]);

    // Assess
    expect(answer).toMatchObject({ results: ['a', 'c'], deadLettered: 0, requeued: 1, retry: { code: 'Throttling.User' } });
    expect(world.copies()).toEqual([
      { type: 'message.requeued', version: 1, attempts: 1, firstMessageId: 'b', body: body('b'), delaySeconds: 10 },
    ]);
    expect(world.letters()).toEqual([]);
  });

  it('backs a message off by the tries its copy carries, counting this one', async () => {
    // Prepare: the third copy of a message first sent as m-1
    const world = batchWorld();

    // Act
    await world.deliver([{ id: 'copy-3', behaviour: 'throttled', attempts: 3, firstMessageId: 'm-1' }]);

    // Assess
    expect(world.copies()).toEqual([expect.objectContaining({ attempts: 4, firstMessageId: 'm-1', body: body('copy-3'), delaySeconds: 80 })]);
  });

  it('sets a message aside with its last reason once it has failed its last try, instead of putting it back', async () => {
    // Prepare: a copy that has failed every try but one
    const world = batchWorld();

    // Act
    const answer = await world.deliver([{ id: 'copy-7', behaviour: 'throttled', attempts: MAX_MESSAGE_ATTEMPTS - 1, firstMessageId: 'm-1' }]);

    // Assess
    expect(answer).toMatchObject({ deadLettered: 1, requeued: 0 });
    expect(world.copies()).toEqual([]);
    const [letter] = world.letters();
    expect(letter).toMatchObject({ code: 'Throttling.User', messageId: 'copy-7', receives: MAX_MESSAGE_ATTEMPTS, raw: body('copy-7'), at: '2026-11-01T00:00:00.000Z' });
    expect(letter?.reason).toBe(`failed ${MAX_MESSAGE_ATTEMPTS} times (first sent as message m-1); the last: copy-7: the request was denied due to user flow control`);
  });

  it('ends a message that keeps failing on the dead-letter path after its tries, however many copies it took', async () => {
    // Prepare
    const world = batchWorld();
    let next: Input | undefined = { id: 'm-1', behaviour: 'throttled' };
    let deliveries = 0;

    // Act: each copy put back is delivered in turn, and fails again
    while (next !== undefined) {
      deliveries += 1;
      await world.deliver([next]);
      const copy = world.copies()[deliveries - 1];
      next = copy === undefined ? undefined : { id: `copy-${copy.attempts}`, behaviour: 'throttled', attempts: copy.attempts, firstMessageId: copy.firstMessageId, body: copy.body };
    }

    // Assess
    expect(deliveries).toBe(MAX_MESSAGE_ATTEMPTS);
    expect(world.copies().map((copy) => copy.delaySeconds)).toEqual([10, 20, 40, 80, 160, 320, 600]);
    expect(world.letters()).toEqual([expect.objectContaining({ receives: MAX_MESSAGE_ATTEMPTS, code: 'Throttling.User', raw: body('m-1') })]);
  });

  it('sets poison aside and acknowledges the rest of the batch', async () => {
    // Prepare
    const world = batchWorld();

    // Act
    const answer = await world.deliver([
      { id: 'p', behaviour: 'poison', shape: 'unreadable' },
      { id: 'a', behaviour: 'done' },
    ]);

    // Assess
    expect(answer).toMatchObject({ results: ['a'], deadLettered: 1, requeued: 0 });
    expect(world.letters()).toEqual([expect.objectContaining({ code: 'InvalidInput', messageId: 'p' })]);
  });
});

describe('a batch that cannot settle every message is delivered again, and loses nothing', () => {
  it('fails the invocation when a message cannot be put back, for the trigger to redeliver the batch', async () => {
    // Prepare
    const world = batchWorld();
    world.queue.failNext(new RetryableError('QueueUnavailable', 'MNS did not answer'));

    // Act
    const attempt = world.deliver([
      { id: 'a', behaviour: 'done' },
      { id: 'b', behaviour: 'throttled' },
    ]);

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'RequeueFailed', retryable: true });
    expect(world.copies()).toEqual([]);
  });

  it('sets poison aside once when its batch is redelivered because a message could not be put back', async () => {
    // Prepare
    const world = batchWorld();
    const batch: Input[] = [
      { id: 'p', behaviour: 'poison', shape: 'unreadable' },
      { id: 'a', behaviour: 'done' },
      { id: 'b', behaviour: 'throttled' },
    ];
    world.queue.failNext(new RetryableError('QueueUnavailable', 'MNS did not answer'));

    // Act: the first delivery fails on the put-back; the trigger delivers the same batch twice more
    await expect(world.deliver(batch)).rejects.toMatchObject({ code: 'RequeueFailed' });
    const lettersAfterFailure = world.letters().length;
    const second = await world.deliver(batch);
    const third = await world.deliver(batch);

    // Assess
    expect(lettersAfterFailure).toBe(0);
    expect(world.letters().map((letter) => letter.messageId)).toEqual(['p']);
    expect(second).toMatchObject({ deadLettered: 1, requeued: 1 });
    expect(third).toMatchObject({ results: [], deadLettered: 0, requeued: 0 });
    expect(world.runs.filter((id) => id === 'a')).toEqual(['a']);
  });

  it('sets each poison message aside once when a letter could not be sent and the batch is redelivered', async () => {
    // Prepare
    const world = batchWorld();
    const batch: Input[] = [
      { id: 'p1', behaviour: 'poison', shape: 'unreadable' },
      { id: 'p2', behaviour: 'poison' },
      { id: 'a', behaviour: 'done' },
    ];
    world.deadLetters.failNext(new RetryableError('QueueUnavailable', 'the dead-letter queue did not answer'));

    // Act
    await expect(world.deliver(batch)).rejects.toMatchObject({ code: 'DeadLetterSendFailed', retryable: true });
    await world.deliver(batch);

    // Assess
    expect(world.letters().map((letter) => letter.messageId)).toEqual(['p2', 'p1']);
  });

  it('asks for the whole delivery again when an input only the trigger can deliver again fails retryably', async () => {
    // Prepare
    const world = batchWorld();

    // Act
    const attempt = world.deliver([{ id: 'sweep', behaviour: 'throttled', shape: 'timer' }]);

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'Throttling.User', retryable: true });
    expect(world.copies()).toEqual([]);
  });
});

describe('a message delivered again after it was settled', () => {
  it('is acknowledged without running again when a copy put back arrives twice', async () => {
    // Prepare: the queue delivers the same copy (the same count of tries) twice
    const world = batchWorld();
    const copy = (id: string): Input => ({ id, behaviour: 'done', attempts: 2, firstMessageId: 'm-1' });

    // Act
    const first = await world.deliver([copy('copy-a')]);
    const duplicate = await world.deliver([copy('copy-b')]);

    // Assess
    expect(first.results).toEqual(['copy-a']);
    expect(duplicate.results).toEqual([]);
    expect(world.runs).toEqual(['copy-a']);
  });

  it('runs the copy of a message put back untried, though it carries the same count of tries', async () => {
    // Prepare: a delivery that has no time left puts its message back untried
    const world = batchWorld();
    const outOfTime: Deadline = { allows: () => false, remainingMs: () => 0 };
    await world.deliver([{ id: 'm-1', behaviour: 'done' }], outOfTime);
    const [copy] = world.copies();

    // Act
    const answer = await world.deliver([{ id: 'copy-1', behaviour: 'done', attempts: copy?.attempts, firstMessageId: copy?.firstMessageId }]);

    // Assess
    expect(copy).toMatchObject({ attempts: 0, firstMessageId: 'm-1', delaySeconds: 0 });
    expect(answer.results).toEqual(['copy-1']);
  });
});

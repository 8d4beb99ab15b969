import { describe, expect, it } from 'vitest';
import { decodeQueueEvent, decodeStartCopyEvent, type StartCopyInput } from '../../shared/platform/fc/events';
import { NAMES_A_FIELD, actionTrailItem, dispatchRequested, queueItem, replicationRequested, timerItem } from './kit/fc-inputs';
import { mutate, mutateText, toJsonText } from './kit/mutate';
import type { FuzzRandom } from './kit/random';
import { runCases } from './kit/run-cases';
import { FUZZ_SEEDS } from './kit/seeds';

const CASES = 400;

interface EventCase {
  readonly text: string;
  /** Items left intact, by index in the batch; undefined when the whole text was damaged. */
  readonly intact?: ReadonlyMap<number, unknown> | undefined;
  readonly batch: boolean;
  readonly itemCount: number;
  readonly steps: readonly string[];
}

const goodItem = (random: FuzzRandom, index: number): unknown =>
  random.pick([
    () => timerItem(),
    () => queueItem(`m-${index}`, replicationRequested(`m-img${index}`), random.pick(['base64', 'plain'] as const)),
    () => queueItem(`m-${index}`, dispatchRequested()),
    () => actionTrailItem(random.pick(['CreateImage', 'CopyImage', 'ImportImage', 'DeleteImage']), 'cn-hangzhou', `m-img${index}`),
  ])();

const WRONG_TYPES = ['mns:Queue:SendMessage', 'ecs:ActionTrail:ApiCall', 'aliyuncvc:MeetingEvent:MemberOperate', '', 'MNS:QUEUE:SENDMESSAGE'];

const generate = (random: FuzzRandom): EventCase => {
  const count = random.int(1, 6);
  const items: unknown[] = [];
  const intact = new Map<number, unknown>();
  const steps: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const item = goodItem(random, index);
    if (random.chance(0.45)) {
      intact.set(index, item);
      items.push(item);
    } else if (random.chance(0.15) && typeof item === 'object' && item !== null) {
      const type = random.pick(WRONG_TYPES);
      items.push({ ...item, type });
      steps.push(`item ${index}: type ${JSON.stringify(type)}`);
    } else if (random.chance(0.2) && typeof item === 'object' && item !== null && 'data' in item) {
      const broken = mutateText(random, JSON.stringify(replicationRequested('m-x')));
      items.push({ ...item, data: { messageId: `m-${index}`, messageBody: broken.text } });
      steps.push(`item ${index}: body ${broken.step}`);
    } else {
      const mutated = mutate(random, item);
      items.push(mutated.value);
      steps.push(...mutated.steps.map((step) => `item ${index}: ${step}`));
    }
  }
  const batch = count > 1 || random.chance(0.5);
  const text = toJsonText(batch ? items : items[0]);
  if (random.chance(0.15)) {
    const damaged = mutateText(random, text);
    return { text: damaged.text, batch, itemCount: count, steps: [...steps, `whole event: ${damaged.step}`] };
  }
  return { text, intact, batch, itemCount: count, steps };
};

const alone = (item: unknown): StartCopyInput | undefined => decodeStartCopyEvent(Buffer.from(JSON.stringify(item)))[0];

const problemWith = (input: EventCase, decoded: readonly StartCopyInput[]): string | undefined => {
  if (input.intact !== undefined && decoded.length !== (input.batch ? input.itemCount : 1)) {
    return `expected one result per item (${input.itemCount}), got ${decoded.length}`;
  }
  for (const [index, result] of decoded.entries()) {
    if (result.kind === 'invalid' && !NAMES_A_FIELD.test(result.reason)) return `item ${index}: invalid without naming a field: ${result.reason.slice(0, 200)}`;
    if (result.kind === 'invalid' && result.raw.length > 4096) return `item ${index}: raw preview of ${result.raw.length} chars`;
    if (result.kind === 'queue-message' && !/^[[{]/.test(result.body)) return `item ${index}: queue body is not JSON text`;
    if (result.kind === 'image-event' && (result.region === '' || result.eventId === '')) return `item ${index}: image event without region or id`;
  }
  for (const [index, item] of input.intact ?? []) {
    if (JSON.stringify(decoded[index]) !== JSON.stringify(alone(item))) return `intact item ${index} decoded differently inside the batch`;
  }
  return undefined;
};

describe('fuzz: FC events into decodeStartCopyEvent and decodeQueueEvent', () => {
  it(`never throws, names the field of every bad item and still decodes the good items of a mixed batch (${CASES} cases)`, async () => {
    // Prepare
    const seed = FUZZ_SEEDS.fcEvents;

    // Act
    const outcome = await runCases({
      seed,
      count: CASES,
      generate,
      show: (input) => `${input.steps.join('; ')} :: ${input.text}`,
      check: (input) => {
        let decoded: StartCopyInput[];
        let queued: ReturnType<typeof decodeQueueEvent>;
        try {
          decoded = decodeStartCopyEvent(Buffer.from(input.text, 'utf8'));
          queued = decodeQueueEvent(Buffer.from(input.text, 'utf8'));
        } catch (error) {
          return `threw ${(error as Error).name}: ${(error as Error).message}`;
        }
        if (queued.length !== decoded.length) return `decodeQueueEvent gave ${queued.length} results for ${decoded.length} items`;
        // The type says only two kinds come out; the check is on what the code does at run time.
        const stray = queued.map((q): string => q.kind).find((kind) => kind !== 'queue-message' && kind !== 'invalid');
        if (stray !== undefined) return `decodeQueueEvent let a ${stray} through`;
        return problemWith(input, decoded);
      },
    });

    // Assess
    expect(outcome.report).toBe('');
    expect(outcome.ran).toBe(CASES);
  });

  it('decodes the good items of a batch in which every other item is broken', () => {
    // Prepare
    const good = queueItem('m-good', dispatchRequested());
    const batch = [good, { id: 'x', type: 'mns:Queue:SendMessage' }, null, 7, [good], good];

    // Act
    const decoded = decodeStartCopyEvent(Buffer.from(JSON.stringify(batch)));

    // Assess
    expect(decoded.map((d) => d.kind)).toEqual(['queue-message', 'invalid', 'invalid', 'invalid', 'invalid', 'queue-message']);
    expect(decoded.filter((d) => d.kind === 'invalid').every((d) => d.kind === 'invalid' && NAMES_A_FIELD.test(d.reason))).toBe(true);
  });
});

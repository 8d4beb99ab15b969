import { encodeMessage, ReplicationRequestedV2 } from '../../shared/core/messages/messages';
import { DEFAULT_ACCOUNT, ProviderId } from '../../shared/core/domain/provider';
import type { CopyCall } from './clouds';
import { ArmedAction, type CrashPoint, type Hold } from './crash-harness';
import { checkInvariants, type Expectation, Kind, type Moment, violation } from './invariants';
import { DEFAULT_EXPECTATIONS, type ScenarioOutcome, type ScenarioSpec } from './scenario';
import { createWorld, type World } from './world';
import { maxAttemptsOf, partnerOf } from './world-policy';

/** Times a failed platform event is fired again, a turn apart (EventBridge retries for a day). */
const EVENT_ATTEMPTS = 30;
const DEFAULT_MAX_MINUTES = 400;
/** The closing sweep runs the next night: long enough after the last outcome that a failure may be reopened. */
const NIGHT_GAP_SECONDS = 45 * 60;
/** Runs of one scenario, same seed, until every armed point is reached; more means a harness bug. */
export const MAX_REPLAYS = 3;

interface PlatformEvent {
  readonly label: string;
  readonly fire: () => Promise<unknown>;
  attempts: number;
}

const expectationsOf = (spec: ScenarioSpec, world: World): Expectation[] =>
  spec.images.flatMap((image) => {
    const role = { ...DEFAULT_EXPECTATIONS[image.role], ...spec.expect[image.role] };
    const regions =
      image.role === 'golden' ? world.cloud.goldenDestinations : image.role === 'big' ? [world.cloud.bigDestination] : [world.cloud.doomedDestination];
    return regions.map((region) => {
      const pair = { ...role, ...spec.expectPair?.(world, image.name, region) };
      return {
      sourceImageId: world.cloud.imageId(image.name),
      destinationRegion: region,
      outcome: pair.outcome,
      reopened: pair.reopened,
      maxAttempts: maxAttemptsOf(spec, image.role),
      webhooks: image.role === 'golden' ? ['ops', 'audit'] : ['ops'],
      shareWith: image.role === 'golden' && region === world.cloud.goldenDestinations[0] ? [partnerOf(spec.provider)] : undefined,
      };
    });
  });

const requestBody = (spec: ScenarioSpec, world: World, imageId: string, origin: string): string =>
  encodeMessage(ReplicationRequestedV2, {
    type: 'replication.requested',
    version: 2,
    origin,
    source: { provider: spec.provider, account: DEFAULT_ACCOUNT, region: world.cloud.sourceRegion, imageId },
  });

const openingEvents = (spec: ScenarioSpec, world: World): PlatformEvent[] => {
  const events: PlatformEvent[] = [];
  for (const image of spec.images) {
    const id = world.cloud.imageId(image.name);
    for (let i = 0; i < (spec.imageEvents ?? 1); i += 1) {
      // ActionTrail speaks for Alibaba; a Huawei image is announced by a request (as a CTS bridge would).
      const fire =
        spec.provider === ProviderId.Alibaba
          ? () => world.runtime.imageCreated(world.cloud.sourceRegion, id)
          : () => world.runtime.startCopyQueue.send(requestBody(spec, world, id, `event-${i}`));
      events.push({ label: `created ${image.name}`, fire, attempts: 0 });
    }
    for (let i = 0; i < (spec.requests ?? 0); i += 1) {
      events.push({ label: `enqueue ${image.name}`, fire: () => world.runtime.startCopyQueue.send(requestBody(spec, world, id, `chaos-${i}`)), attempts: 0 });
    }
  }
  for (let i = 0; i < (spec.sweeps ?? 0); i += 1) events.push({ label: 'sweep', fire: () => world.runtime.sweep(), attempts: 0 });
  return events;
};

/** Fires due events; those that fail (a crash, an API fault past the client's retries) come back next turn. */
const fire = async (events: PlatformEvent[], concurrent: boolean): Promise<PlatformEvent[]> => {
  const attempt = async (event: PlatformEvent) => {
    event.attempts += 1;
    try {
      await event.fire();
      return undefined;
    } catch {
      return event.attempts < EVENT_ATTEMPTS ? event : undefined;
    }
  };
  const again: Array<PlatformEvent | undefined> = [];
  if (concurrent) again.push(...(await Promise.all(events.map(attempt))));
  else for (const event of events) again.push(await attempt(event));
  return again.filter((event): event is PlatformEvent => event !== undefined);
};

const isIdle = async (world: World): Promise<boolean> => {
  const snapshot = await world.runtime.snapshot();
  return snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0;
};

/** What the queues set aside after too many receives, by message type; the rest a handler set aside itself. */
const deadLetterSummary = async (world: World, total: number): Promise<string> => {
  const moved = [...(await world.runtime.startCopyQueue.listDeadLetters()), ...(await world.runtime.notifyQueue.listDeadLetters())];
  const counts = new Map<string, number>();
  for (const letter of moved) {
    let type = 'an unreadable message';
    try {
      const parsed = (JSON.parse(letter.body) as { type?: unknown }).type;
      if (typeof parsed === 'string') type = parsed;
    } catch {
      // Kept as unreadable.
    }
    const key = `${type} after too many receives`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (total > moved.length) counts.set('set aside by a handler', total - moved.length);
  return [...counts].map(([what, n]) => `${n}× ${what}`).join(', ');
};

const moment = async (world: World): Promise<Moment> => ({ jobs: await world.runtime.jobs.list(), copies: world.cloud.copies() });

/**
 * A held invocation blocks the step it runs in: that step goes on in the background (a second FC
 * instance takes the next turns) until the hold is released.
 */
class Background {
  readonly #work: Array<Promise<unknown>> = [];
  #reachedAt: number | undefined;
  #point: CrashPoint | undefined;
  #released = false;
  constructor(
    readonly hold: Hold | undefined,
    readonly forMinutes: number,
    readonly diesAfterMinutes = Number.POSITIVE_INFINITY,
  ) {}

  get busy(): boolean {
    return this.hold !== undefined && this.hold.isReached() && !this.#released;
  }

  /** Where the held invocation stopped, once it did. */
  get reachedAt(): CrashPoint | undefined {
    return this.#point;
  }

  async run(work: Promise<unknown>): Promise<void> {
    if (this.hold === undefined || this.#released || this.hold.isReached()) return void (await work);
    const point = await Promise.race([work.then(() => undefined), this.hold.reached]);
    if (point !== undefined) {
      this.#point = point;
      this.#work.push(work);
    }
  }

  /** Releases the hold once it has lasted its minutes (or ends the invocation at its timeout, if that comes first), then waits for what it blocked. */
  async tick(minute: number): Promise<void> {
    if (this.hold === undefined || !this.hold.isReached() || this.#released) return;
    this.#reachedAt ??= minute;
    const held = minute - this.#reachedAt;
    if (held < Math.min(this.forMinutes, this.diesAfterMinutes)) return;
    this.#released = true;
    if (this.diesAfterMinutes < this.forMinutes) this.hold.kill();
    else this.hold.release();
    await Promise.all(this.#work);
  }
}

/** Runs one scenario once to quiescence on the manual clock, a virtual minute per turn. Never sleeps. */
const runOnce = async (spec: ScenarioSpec): Promise<ScenarioOutcome> => {
  const started = Date.now();
  const world = await createWorld(spec);
  try {
    world.crash.arm(...(spec.armed ?? []));
    const background = new Background(spec.hold === undefined ? undefined : world.crash.hold(spec.hold.target), spec.hold?.forMinutes ?? 0, spec.hold?.diesAfterMinutes);
    const copyCalls: CopyCall[] = [];
    await spec.prepare?.(world);
    let pending = openingEvents(spec, world);
    let settledMoment: Moment | undefined;
    let settled = false;
    let minute = 0;
    const maxMinutes = spec.maxMinutes ?? DEFAULT_MAX_MINUTES;
    for (; minute <= maxMinutes; minute += 1) {
      spec.onMinute?.(world, minute);
      pending = await fire(pending, spec.concurrentStart === true && minute === 0);
      if (spec.concurrentPolls === true) await Promise.allSettled([world.runtime.poll(), world.runtime.poll()]);
      // A poll that dies or meets a fault is simply fired again by the next timer tick.
      await background.run(world.runtime.step().catch(() => undefined));
      await background.tick(minute);
      copyCalls.push(...world.cloud.takeCopyCalls());
      if (pending.length === 0 && !background.busy && (await isIdle(world))) {
        if (spec.finalSweep !== true || settledMoment !== undefined) {
          settled = true;
          break;
        }
        settledMoment = await moment(world);
        world.clock.advanceSeconds(NIGHT_GAP_SECONDS);
        pending = [{ label: 'nightly sweep', fire: () => world.runtime.sweep(), attempts: 0 }];
      }
      world.clock.advanceSeconds(60);
    }
    copyCalls.push(...world.cloud.takeCopyCalls());
    const receivers = Object.fromEntries(Object.entries(world.receivers).map(([name, r]) => [name, { received: r.received, rejected: r.rejected() }]));
    const snapshot = await world.runtime.snapshot();
    const report = checkInvariants({
      expectations: expectationsOf(spec, world),
      settled: settledMoment,
      final: await moment(world),
      copyCalls,
      receivers,
      snapshot,
      expectedDeadLetters: spec.expectedDeadLetters,
      deadLetterSummary: snapshot.deadLetters === 0 ? undefined : await deadLetterSummary(world, snapshot.deadLetters),
      strangers: world.strangers.map((imageId) => ({ imageId, ...world.cloud.image(imageId) })),
    });
    const violations = [...report.violations];
    if (!settled) violations.push(violation(Kind.Stuck, 'scenario', `did not settle within ${maxMinutes} virtual minutes`));
    const faults = {
      ...world.cloud.faults.counts(),
      webhookRefused: world.delivery.counts.webhookRefused,
      webhookLostAnswer: world.delivery.counts.webhookLostAnswer,
      deadLetterSendFailed: world.delivery.counts.deadLetterSendFailed,
      lostStoreAnswer: world.crash.hits.filter((hit) => hit.action !== 'crash').length,
    };
    // A hold is an armed point too: a run that never stalled there tested nothing.
    const hold = spec.hold === undefined ? undefined : { ...spec.hold.target, action: ArmedAction.Hold };
    const held = background.reachedAt;
    const base: ScenarioOutcome = {
      ...report,
      violations,
      name: spec.name,
      group: spec.group,
      provider: spec.provider,
      seed: spec.seed,
      faults,
      armed: [...world.crash.armed, ...(hold === undefined ? [] : [hold])],
      hits: [...world.crash.hits, ...(held === undefined ? [] : [{ ...held, action: ArmedAction.Hold }])],
      crashes: [...world.crash.crashes],
      unreached: [...world.crash.unreached, ...(hold !== undefined && held === undefined ? [hold] : [])],
      replays: 0,
      reached: [...world.crash.reached],
      duplicateDeliveries: world.delivery.counts.duplicateDeliveries + extraDeliveries(spec),
      minutes: minute,
      settled,
      wallMs: 0,
      requests: world.cloud.requestCounts(),
    };
    const extra = ((await spec.verify?.(world, base)) ?? []).map((text) => violation(Kind.Claim, 'scenario', text));
    return { ...base, violations: [...violations, ...extra], wallMs: Date.now() - started };
  } finally {
    await world.close();
  }
};

/**
 * Runs a scenario, and runs it again (same seed, same schedule, fresh world) while an armed point
 * was not reached: a run that took another path tested nothing, so it neither passes nor fails.
 * After MAX_REPLAYS the scenario reports its unreached points as a harness failure.
 */
export const runScenario = async (spec: ScenarioSpec): Promise<ScenarioOutcome> => {
  let outcome = await runOnce(spec);
  let replays = 0;
  while (outcome.unreached.length > 0 && replays < MAX_REPLAYS) {
    replays += 1;
    outcome = await runOnce(spec);
  }
  return { ...outcome, replays };
};

/** Deliveries beyond the first that the script itself made: repeated events, sweeps, requests, twin polls. */
const extraDeliveries = (spec: ScenarioSpec): number =>
  spec.images.length * (Math.max(0, (spec.imageEvents ?? 1) - 1) + (spec.requests ?? 0)) + Math.max(0, (spec.sweeps ?? 0) - 1);

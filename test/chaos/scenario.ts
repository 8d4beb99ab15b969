import { encodeMessage, ReplicationRequestedV1 } from '../../shared/core/messages/messages';
import type { CrashPoint, CrashTarget } from './crash-harness';
import { checkInvariants, type Expectation, type ExpectedOutcome, type InvariantReport } from './invariants';
import { BIG_DESTINATION, createWorld, GOLDEN_DESTINATIONS, SOURCE_REGION, type World, type WorldSpec } from './world';

export const ScenarioGroup = { Faults: 'faults', Policy: 'policy', Duplicates: 'duplicates', Crash: 'crash' } as const;
export type ScenarioGroup = (typeof ScenarioGroup)[keyof typeof ScenarioGroup];

export interface ScenarioSpec extends WorldSpec {
  readonly name: string;
  readonly group: ScenarioGroup;
  /** How often each image's CreateImage event is delivered (EventBridge is at least once too). */
  readonly imageEvents?: number | undefined;
  /** Sweeps fired at the start, alongside the events. */
  readonly sweeps?: number | undefined;
  /** replication.requested messages queued per image, as `image-replicator enqueue` does. */
  readonly requests?: number | undefined;
  /** Fire the opening events all at once rather than one after another. */
  readonly concurrentStart?: boolean | undefined;
  /** Every turn, two poll-status invocations at once. */
  readonly concurrentPolls?: boolean | undefined;
  /** The nightly sweep once the run settles, and settle again: the safety net for dropped events. */
  readonly finalSweep?: boolean | undefined;
  readonly expect: { readonly golden: ExpectedOutcome; readonly big?: ExpectedOutcome | undefined };
  readonly crash?: CrashTarget | undefined;
  /** Further deaths, e.g. of the invocation that recovers from the first one. */
  readonly alsoCrash?: readonly CrashTarget[] | undefined;
  /** Scripted faults and world changes, before the first turn and at each virtual minute. */
  readonly prepare?: ((world: World) => void) | undefined;
  readonly onMinute?: ((world: World, minute: number) => void) | undefined;
  /** Extra checks of the scenario's own claim (a cancel was sent, a retry cleaned up first, ...). */
  readonly verify?: ((world: World, result: ScenarioOutcome) => Promise<readonly string[]> | readonly string[]) | undefined;
  readonly maxMinutes?: number | undefined;
}

export interface ScenarioOutcome extends InvariantReport {
  readonly name: string;
  readonly group: ScenarioGroup;
  readonly seed: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly crashTarget?: CrashTarget | undefined;
  readonly crashedAt?: CrashPoint | undefined;
  readonly crashes: readonly CrashPoint[];
  /** Every crash point this run reached (the menu for a clean run). */
  readonly reached: readonly CrashPoint[];
  readonly duplicateDeliveries: number;
  readonly minutes: number;
  readonly settled: boolean;
  readonly wallMs: number;
  readonly ecsRequests: Readonly<Record<string, number>>;
}

export const describeTarget = (target: CrashTarget): string =>
  'nth' in target ? `${target.fn}: ${target.label} (${target.nth}. time)` : `${target.fn} #${target.invocation}.${target.point}`;

/** Times a dropped platform event is retried (EventBridge and FC async retry, roughly). */
const EVENT_ATTEMPTS = 8;
const DEFAULT_MAX_MINUTES = 400;

interface PlatformEvent {
  readonly label: string;
  readonly fire: () => Promise<unknown>;
  attempts: number;
}

const expectationsOf = (spec: ScenarioSpec, world: World): Expectation[] =>
  spec.images.flatMap((image) =>
    image.role === 'golden'
      ? GOLDEN_DESTINATIONS.map((region) => ({
          sourceImageId: world.imageId(image.name),
          destinationRegion: region,
          outcome: spec.expect.golden,
          webhooks: ['ops', 'audit'],
        }))
      : [{ sourceImageId: world.imageId(image.name), destinationRegion: BIG_DESTINATION, outcome: spec.expect.big ?? 'terminal', webhooks: ['ops'] }],
  );

const openingEvents = (spec: ScenarioSpec, world: World): PlatformEvent[] => {
  const events: PlatformEvent[] = [];
  for (const image of spec.images) {
    const id = world.imageId(image.name);
    for (let i = 0; i < (spec.imageEvents ?? 1); i += 1) {
      events.push({ label: `CreateImage ${image.name}`, fire: () => world.runtime.imageCreated(SOURCE_REGION, id), attempts: 0 });
    }
    for (let i = 0; i < (spec.requests ?? 0); i += 1) {
      const body = encodeMessage(ReplicationRequestedV1, { type: 'replication.requested', version: 1, origin: `chaos-${i}`, source: { region: SOURCE_REGION, imageId: id } });
      events.push({ label: `enqueue ${image.name}`, fire: () => world.runtime.startCopyQueue.send(body), attempts: 0 });
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
  const again = concurrent ? await Promise.all(events.map(attempt)) : await (async () => {
    const out: Array<PlatformEvent | undefined> = [];
    for (const event of events) out.push(await attempt(event));
    return out;
  })();
  return again.filter((event): event is PlatformEvent => event !== undefined);
};

const isIdle = async (world: World): Promise<boolean> => {
  const snapshot = await world.runtime.snapshot();
  return snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0;
};

/**
 * Runs one scenario to quiescence on the manual clock, a virtual minute per turn (the poll
 * timer's period), then checks the invariants. Never sleeps; bounded by `maxMinutes`.
 */
export const runScenario = async (spec: ScenarioSpec): Promise<ScenarioOutcome> => {
  const started = Date.now();
  const world = await createWorld(spec);
  try {
    const targets = [...(spec.crash === undefined ? [] : [spec.crash]), ...(spec.alsoCrash ?? [])];
    world.crash.arm(...targets);
    spec.prepare?.(world);
    let pending = openingEvents(spec, world);
    let sweptAtEnd = spec.finalSweep !== true;
    let settled = false;
    let minute = 0;
    const maxMinutes = spec.maxMinutes ?? DEFAULT_MAX_MINUTES;
    for (; minute <= maxMinutes; minute += 1) {
      spec.onMinute?.(world, minute);
      pending = await fire(pending, spec.concurrentStart === true && minute === 0);
      if (spec.concurrentPolls === true) await Promise.allSettled([world.runtime.poll(), world.runtime.poll()]);
      // A poll that dies or meets a fault is simply fired again by the next timer tick.
      await world.runtime.step().catch(() => undefined);
      if (pending.length === 0 && (await isIdle(world))) {
        if (sweptAtEnd) {
          settled = true;
          break;
        }
        sweptAtEnd = true;
        pending = [{ label: 'nightly sweep', fire: () => world.runtime.sweep(), attempts: 0 }];
      }
      world.clock.advanceSeconds(60);
    }
    const receivers = Object.fromEntries(Object.entries(world.receivers).map(([name, r]) => [name, { received: r.received, rejected: r.rejected() }]));
    const report = checkInvariants({
      expectations: expectationsOf(spec, world),
      jobs: await world.runtime.jobs.list(),
      copyCounts: world.simulator.inspect.copyCounts(),
      receivers,
      snapshot: await world.runtime.snapshot(),
    });
    const violations = [...report.violations];
    if (!settled) violations.push(`did not settle within ${maxMinutes} virtual minutes`);
    if (world.crash.crashes.length < targets.length) {
      violations.push(`only ${world.crash.crashes.length} of the armed crash points were reached: ${targets.map(describeTarget).join('; ')}`);
    }
    const faults = { ...world.simulator.faults.counts(), webhookRefused: world.delivery.counts.webhookRefused, webhookLostAnswer: world.delivery.counts.webhookLostAnswer };
    const outcomeBase: ScenarioOutcome = {
      ...report,
      violations,
      name: spec.name,
      group: spec.group,
      seed: spec.seed,
      faults,
      crashTarget: spec.crash,
      crashedAt: world.crash.crashed,
      crashes: [...world.crash.crashes],
      reached: [...world.crash.reached],
      duplicateDeliveries: world.delivery.counts.duplicateDeliveries + extraDeliveries(spec),
      minutes: minute,
      settled,
      wallMs: 0,
      ecsRequests: world.simulator.requests.counts(),
    };
    const extra = (await spec.verify?.(world, outcomeBase)) ?? [];
    return { ...outcomeBase, violations: [...violations, ...extra], wallMs: Date.now() - started };
  } finally {
    await world.close();
  }
};

/** Deliveries beyond the first that the script itself made: repeated events, sweeps, requests, twin polls. */
const extraDeliveries = (spec: ScenarioSpec): number =>
  spec.images.length * (Math.max(0, (spec.imageEvents ?? 1) - 1) + (spec.requests ?? 0)) + Math.max(0, (spec.sweeps ?? 0) - 1);

import { JobStatus } from '../../shared/core/domain/job';
import type { ProviderId } from '../../shared/core/domain/provider';
import type { ImageRole } from './clouds';
import type { ArmedTarget, CrashPoint, CrashTarget, HitPoint } from './crash-harness';
import type { ExpectedOutcome, InvariantReport, Outcome } from './invariants';
import type { World, WorldSpec } from './world';

export const ScenarioGroup = {
  Faults: 'faults',
  Policy: 'policy',
  Duplicates: 'duplicates',
  Crash: 'crash',
  Store: 'lost-store-answers',
  Races: 'races',
  Poison: 'poison',
} as const;
export type ScenarioGroup = (typeof ScenarioGroup)[keyof typeof ScenarioGroup];

/** What each role's jobs must end in; `reopened`: after the closing sweep gave a failed or timed-out job another round. */
export interface RoleExpectation {
  readonly outcome: ExpectedOutcome;
  readonly reopened?: Outcome | undefined;
}

/** A paused invocation: held at `target` until `forMinutes` virtual minutes have passed, while the world goes on. */
export interface HoldSpec {
  readonly target: CrashTarget;
  readonly forMinutes: number;
  /**
   * The function's timeout, in whole minutes: FC ends an invocation there, so a hold longer than
   * this ends in the invocation's death, never in its waking.
   */
  readonly diesAfterMinutes?: number | undefined;
}

export interface ScenarioSpec extends WorldSpec {
  readonly name: string;
  readonly group: ScenarioGroup;
  /** How often each image's creation is announced: an ActionTrail event on Alibaba, a request on Huawei (no event source yet). */
  readonly imageEvents?: number | undefined;
  /** Sweeps fired at the start, alongside the events. */
  readonly sweeps?: number | undefined;
  /** replication.requested messages queued per image, as `image-replicator enqueue` does. */
  readonly requests?: number | undefined;
  /** Fire the opening events all at once rather than one after another. */
  readonly concurrentStart?: boolean | undefined;
  /** Every turn, two poll-status invocations at once. */
  readonly concurrentPolls?: boolean | undefined;
  /** The nightly sweep once the run settles (the next night: failures are then reopened), and settle again. */
  readonly finalSweep?: boolean | undefined;
  readonly expect: Partial<Record<ImageRole, RoleExpectation>>;
  /** One (image, destination) that expects otherwise than its role (a name somebody else took there). */
  readonly expectPair?: ((world: World, image: string, destinationRegion: string) => RoleExpectation | undefined) | undefined;
  /** Armed points: a process death, or an answer lost to a live caller. Each must be reached. */
  readonly armed?: readonly ArmedTarget[] | undefined;
  readonly hold?: HoldSpec | undefined;
  /** Messages a scenario sets out to have dead-lettered (poison). */
  readonly expectedDeadLetters?: number | undefined;
  /** Scripted faults and world changes, before the first turn and at each virtual minute. */
  readonly prepare?: ((world: World) => void | Promise<void>) | undefined;
  readonly onMinute?: ((world: World, minute: number) => void) | undefined;
  /** Extra checks of the scenario's own claim (a cancel was sent, a retry cleaned up first, ...). */
  readonly verify?: ((world: World, result: ScenarioOutcome) => Promise<readonly string[]> | readonly string[]) | undefined;
  readonly maxMinutes?: number | undefined;
}

export interface ScenarioOutcome extends InvariantReport {
  readonly name: string;
  readonly group: ScenarioGroup;
  readonly provider: ProviderId;
  readonly seed: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly armed: readonly ArmedTarget[];
  /** Armed points the final run reached (every one, or the run is a harness failure). */
  readonly hits: readonly HitPoint[];
  readonly crashes: readonly CrashPoint[];
  /** Armed points no run reached, after the replays: a harness bug, reported apart from product violations. */
  readonly unreached: readonly ArmedTarget[];
  /** Runs made again, same seed, because an armed point was not reached. */
  readonly replays: number;
  /** Every crash point this run reached (the menu for a clean run). */
  readonly reached: readonly CrashPoint[];
  readonly duplicateDeliveries: number;
  readonly minutes: number;
  readonly settled: boolean;
  readonly wallMs: number;
  readonly requests: Readonly<Record<string, number>>;
}

export const DEFAULT_EXPECTATIONS: Readonly<Record<ImageRole, RoleExpectation>> = {
  golden: { outcome: 'available-unless-exhausted' },
  big: { outcome: JobStatus.TimedOut },
  doomed: { outcome: JobStatus.Failed },
};

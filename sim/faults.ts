import type { Prng } from './prng';

export const FaultKind = {
  Throttle: 'throttle',
  InternalError: 'internalError',
  ServiceUnavailable: 'serviceUnavailable',
  /** The action is performed, then the connection is reset: the client never learns the outcome. */
  LostAnswer: 'lostAnswer',
  /** The action is performed and no answer is ever sent: the client times out. */
  NoAnswer: 'noAnswer',
  Latency: 'latency',
  CopyFailure: 'copyFailure',
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

/** Per-request probabilities (0–1) and added latency for one action. */
export interface ActionFaultRates {
  readonly throttle?: number | undefined;
  readonly internalError?: number | undefined;
  readonly serviceUnavailable?: number | undefined;
  readonly lostAnswer?: number | undefined;
  readonly noAnswer?: number | undefined;
  readonly latencyMs?: number | undefined;
}

export interface FaultSettings {
  /** By action name; `*` applies to actions without their own entry. */
  readonly actions: Readonly<Record<string, ActionFaultRates>>;
  /** Probability that an accepted copy ends CreateFailed (an image copy) or failed (a snapshot copy). */
  readonly copyFailureProbability: number;
  /** When set, throttled answers carry `x-acs-retry-after` (ms), which the SDK's retry honours. */
  readonly throttleRetryAfterMs?: number | undefined;
}

export const NO_FAULTS: FaultSettings = { actions: {}, copyFailureProbability: 0 };

type BeforeFault = typeof FaultKind.Throttle | typeof FaultKind.InternalError | typeof FaultKind.ServiceUnavailable;
type AfterFault = typeof FaultKind.LostAnswer | typeof FaultKind.NoAnswer;

export interface RequestFaultPlan {
  readonly latencyMs: number;
  readonly before?: BeforeFault | undefined;
  readonly after?: AfterFault | undefined;
}

const BEFORE: readonly BeforeFault[] = [FaultKind.Throttle, FaultKind.InternalError, FaultKind.ServiceUnavailable];
const AFTER: readonly AfterFault[] = [FaultKind.LostAnswer, FaultKind.NoAnswer];

/**
 * Decides which faults a request meets: random ones from the rates (seeded), and scripted ones a
 * test queued with `injectNext`, which win. Every fault applied is counted by kind.
 */
export class FaultController {
  #settings: FaultSettings;
  readonly #scripted: Array<{ action: string; kind: FaultKind; remaining: number }> = [];
  readonly #counts = new Map<FaultKind, number>();

  constructor(
    settings: FaultSettings,
    private readonly random: Prng,
  ) {
    this.#settings = settings;
  }

  get settings(): FaultSettings {
    return this.#settings;
  }

  /** Replaces the settings at run time; fields not given are kept. */
  configure(changes: Partial<FaultSettings>): void {
    this.#settings = { ...this.#settings, ...changes };
  }

  setActionRates(action: string, rates: ActionFaultRates): void {
    this.#settings = { ...this.#settings, actions: { ...this.#settings.actions, [action]: rates } };
  }

  /** The next `times` requests for `action` (or any action, `*`) meet `kind`. */
  injectNext(action: string, kind: FaultKind, times = 1): void {
    this.#scripted.push({ action, kind, remaining: times });
  }

  clear(): void {
    this.#settings = NO_FAULTS;
    this.#scripted.length = 0;
  }

  counts(): Readonly<Record<FaultKind, number>> {
    const out = {} as Record<FaultKind, number>;
    for (const kind of Object.values(FaultKind)) out[kind] = this.#counts.get(kind) ?? 0;
    return out;
  }

  record(kind: FaultKind): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
  }

  plan(action: string): RequestFaultPlan {
    const rates = this.#settings.actions[action] ?? this.#settings.actions['*'] ?? {};
    const scriptedBefore = this.#takeScripted(action, BEFORE);
    const before = scriptedBefore ?? BEFORE.find((kind) => this.random.chance(rates[kind] ?? 0));
    const after = before === undefined ? (this.#takeScripted(action, AFTER) ?? AFTER.find((kind) => this.random.chance(rates[kind] ?? 0))) : undefined;
    const latencyMs = rates.latencyMs ?? 0;
    if (latencyMs > 0) this.record(FaultKind.Latency);
    if (before) this.record(before);
    if (after) this.record(after);
    return { latencyMs, before, after };
  }

  /** Whether an accepted CopyImage or CopySnapshot ends failed: scripted for that action, or at the configured rate. */
  copyShouldFail(action: 'CopyImage' | 'CopySnapshot' = 'CopyImage'): boolean {
    const fails = this.#takeScripted(action, [FaultKind.CopyFailure]) !== undefined || this.random.chance(this.#settings.copyFailureProbability);
    if (fails) this.record(FaultKind.CopyFailure);
    return fails;
  }

  #takeScripted<K extends FaultKind>(action: string, kinds: readonly K[]): K | undefined {
    const index = this.#scripted.findIndex((s) => (s.action === action || s.action === '*') && (kinds as readonly FaultKind[]).includes(s.kind));
    const entry = this.#scripted[index];
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#scripted.splice(index, 1);
    return entry.kind as K;
  }
}

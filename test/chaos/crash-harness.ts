import { AsyncLocalStorage } from 'node:async_hooks';
import type { Dependencies } from '../../shared/platform/fc/dependencies';
import type { Job } from '../../shared/core/domain/job';
import { ReplicaTag } from '../../shared/core/domain/image';
import { RetryableError, VersionConflictError } from '../../shared/core/domain/errors';
import type { CopyProvider, CopyProviders, ImageQuery } from '../../shared/core/ports/copy-provider';
import type { JobStore } from '../../shared/core/ports/job-store';
import type { MessageQueue } from '../../shared/core/ports/message-queue';
import type { WebhookTransport } from '../../shared/core/ports/webhook-transport';

/** One numbered await point of one invocation: where a process may die. */
export interface CrashPoint {
  readonly fn: string;
  /** 1-based ordinal of the invocation among the invocations of `fn` in this run. */
  readonly invocation: number;
  /** 1-based position within that invocation. */
  readonly point: number;
  /** Port call and phase, e.g. `alibaba.startCopy · after`: the same label names the same await point in any run. */
  readonly label: string;
}

/**
 * Where to act: the nth time a handler reaches an await point. Counting by label rather than by
 * position keeps a target valid when concurrent calls inside one invocation (Huawei observes four
 * copies at once) come back in another order.
 */
export interface CrashTarget {
  readonly fn: string;
  readonly label: string;
  readonly nth: number;
}

/**
 * What happens at an armed point. `crash`: the process dies there. The two others only make sense
 * after a call with an effect: the effect happened, and the live caller is told otherwise, as a
 * client whose answer was lost would tell it (a timeout; or, after its own retry met the changed
 * row, a version conflict). The caller goes on.
 */
export const ArmedAction = { Crash: 'crash', LostAnswer: 'lost-answer', ConflictAnswer: 'conflict-answer', Hold: 'hold' } as const;
export type ArmedAction = (typeof ArmedAction)[keyof typeof ArmedAction];

export interface ArmedTarget extends CrashTarget {
  readonly action?: ArmedAction | undefined;
}

/** A point that was armed and reached, with what was done there. */
export interface HitPoint extends CrashPoint {
  readonly action: ArmedAction;
}

/** What the `invoke` race rejects with when the simulated process dies. */
export class SimulatedCrash extends Error {
  constructor(readonly at: CrashPoint) {
    super(`simulated crash of ${at.fn} #${at.invocation} at point ${at.point} (${at.label})`);
    this.name = 'SimulatedCrash';
  }
}

/** A paused invocation: it waits at its point until released, while the world goes on. */
export interface Hold {
  /** Resolves when the held invocation reaches the point. */
  readonly reached: Promise<CrashPoint>;
  readonly isReached: () => boolean;
  release(): void;
  /** Ends the held invocation where it waits, as FC does at the function's timeout: the held call never runs. */
  kill(): void;
}

interface InvocationState {
  readonly fn: string;
  readonly ordinal: number;
  points: number;
  dead: boolean;
  readonly kill: (error: Error) => void;
}

interface Armed {
  readonly target: ArmedTarget;
  hits: number;
}

interface HoldEntry {
  readonly target: CrashTarget;
  hits: number;
  reachedAt?: CrashPoint | undefined;
  /** The invocation that reached the point. */
  state?: InvocationState | undefined;
  readonly onReached: (point: CrashPoint) => void;
  readonly released: Promise<void>;
}

/** A dead process performs nothing more: its pending awaits simply never come back. */
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

const describeQuery = (query: ImageQuery): string => {
  if (query.imageId !== undefined) return 'by id';
  if (query.tags?.[ReplicaTag.Job] !== undefined) return 'by job tag';
  if (query.tags?.[ReplicaTag.Managed] !== undefined) return 'managed copies';
  if (query.createdSince !== undefined) return 'copies since';
  return 'candidates';
};

const describeWrite = (job: Job): string => `${job.status}/${job.notification.status}`;

/** Outcome of reaching a point: go on, die, or answer the caller with an error although the effect happened. */
type Verdict = { readonly kind: 'go' } | { readonly kind: 'dead' } | { readonly kind: 'throw'; readonly error: Error };

/**
 * Turns every port call a handler makes into numbered crash points: before the call and, for
 * calls with an effect, after it (the effect happened, the answer is lost). Invocations are told
 * apart with AsyncLocalStorage, so two concurrent ones each count their own points and a dead
 * one's zombie chain is recognised wherever it resumes. Other layers (the Huawei client's fetch)
 * add their own points through `around`.
 */
export class CrashHarness {
  readonly #context = new AsyncLocalStorage<InvocationState>();
  readonly #ordinals = new Map<string, number>();
  readonly #reached: CrashPoint[] = [];
  #armed: Armed[] = [];
  #armedTargets: ArmedTarget[] = [];
  readonly #hits: HitPoint[] = [];
  readonly #holds: HoldEntry[] = [];

  /** Every point reached so far, in order: a clean run's list is the menu of crashes to try. */
  get reached(): readonly CrashPoint[] {
    return this.#reached;
  }

  /** Every armed crash that happened, in order (a crash during recovery from a crash, ...). */
  get crashes(): readonly CrashPoint[] {
    return this.#hits.filter((hit) => hit.action === ArmedAction.Crash);
  }

  /** The first armed crash that happened, if any. */
  get crashed(): CrashPoint | undefined {
    return this.crashes[0];
  }

  /** Every armed point that was reached, whatever was done there. */
  get hits(): readonly HitPoint[] {
    return this.#hits;
  }

  get armed(): readonly ArmedTarget[] {
    return this.#armedTargets;
  }

  /** Armed targets no run reached (yet): a harness problem, never a pass. */
  get unreached(): readonly ArmedTarget[] {
    return this.#armed.map((armed) => armed.target);
  }

  /** The invocation the caller runs in (for per-invocation clocks), or undefined outside one. */
  current(): { readonly fn: string; readonly ordinal: number } | undefined {
    const state = this.#context.getStore();
    return state === undefined ? undefined : { fn: state.fn, ordinal: state.ordinal };
  }

  /** Each target acts once, at the nth time its handler reaches its label. */
  arm(...targets: readonly ArmedTarget[]): void {
    this.#armed = targets.map((target) => ({ target, hits: 0 }));
    this.#armedTargets = [...targets];
    this.#hits.length = 0;
  }

  /** Pauses the invocation that reaches the target, before the call (or before it answers, for an `· after` label). */
  hold(target: CrashTarget): Hold {
    let onReached: (point: CrashPoint) => void = () => undefined;
    let release: () => void = () => undefined;
    const reached = new Promise<CrashPoint>((resolve) => {
      onReached = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const entry: HoldEntry = { target, hits: 0, onReached, released };
    this.#holds.push(entry);
    const kill = (): void => {
      const { state, reachedAt } = entry;
      if (state === undefined || reachedAt === undefined || state.dead) return;
      state.dead = true;
      state.kill(new SimulatedCrash(reachedAt));
    };
    return { reached, isReached: () => entry.reachedAt !== undefined, release, kill };
  }

  /** The runtime's `invoke` hook: the invocation, raced against its own death. */
  readonly invoke = (fn: string, invocation: () => Promise<unknown>): Promise<unknown> => {
    const ordinal = (this.#ordinals.get(fn) ?? 0) + 1;
    this.#ordinals.set(fn, ordinal);
    let kill: (error: Error) => void = () => undefined;
    const death = new Promise<never>((_, reject) => {
      kill = reject;
    });
    const state: InvocationState = { fn, ordinal, points: 0, dead: false, kill };
    return Promise.race([this.#context.run(state, invocation), death]);
  };

  /** The runtime's `decorate` hook. */
  readonly decorate = (deps: Dependencies): Dependencies => ({
    ...deps,
    providers: this.#providers(deps.providers),
    jobs: this.#jobs(deps.jobs),
    queues: {
      startCopy: this.#queue('queues.startCopy', deps.queues.startCopy),
      notify: this.#queue('queues.notify', deps.queues.notify),
      poll: this.#queue('queues.poll', deps.queues.poll),
    },
    deadLetters: this.#queue('deadLetters', deps.deadLetters),
    transport: this.#transport(deps.transport),
  });

  /** One call as a crash point (two when it has an effect), for layers below the ports. */
  around<T>(label: string, effect: boolean, run: () => Promise<T>): Promise<T> {
    return this.#call(label, effect, run);
  }

  #matches(entry: { readonly target: CrashTarget; hits: number }, point: CrashPoint): boolean {
    if (entry.target.fn !== point.fn || entry.target.label !== point.label) return false;
    entry.hits += 1;
    return entry.hits === entry.target.nth;
  }

  #reach(state: InvocationState, label: string): { readonly verdict: Verdict; readonly hold?: Promise<void> | undefined } {
    if (state.dead) return { verdict: { kind: 'dead' } };
    state.points += 1;
    const point: CrashPoint = { fn: state.fn, invocation: state.ordinal, point: state.points, label };
    this.#reached.push(point);
    const held = this.#holds.find((entry) => entry.reachedAt === undefined && this.#matches(entry, point));
    if (held !== undefined) {
      held.reachedAt = point;
      held.state = state;
      held.onReached(point);
    }
    const index = this.#armed.findIndex((armed) => this.#matches(armed, point));
    if (index < 0) return { verdict: { kind: 'go' }, hold: held?.released };
    const [armed] = this.#armed.splice(index, 1);
    const action = armed?.target.action ?? ArmedAction.Crash;
    this.#hits.push({ ...point, action });
    if (action === ArmedAction.Crash) {
      state.dead = true;
      state.kill(new SimulatedCrash(point));
      return { verdict: { kind: 'dead' } };
    }
    const error =
      action === ArmedAction.ConflictAnswer
        ? new VersionConflictError('(answer lost)', -1)
        : new RetryableError('Timeout', `the answer to ${label} was lost (injected; the call took effect)`);
    return { verdict: { kind: 'throw', error }, hold: held?.released };
  }

  #call<T>(label: string, effect: boolean, run: () => Promise<T>): Promise<T> {
    const state = this.#context.getStore();
    if (state === undefined) return run();
    const before = this.#reach(state, `${label} · before`);
    const proceed = (): Promise<T> => {
      if (before.verdict.kind === 'dead' || state.dead) return never();
      // A lost answer before the call is just a failed call: it never ran.
      if (before.verdict.kind === 'throw') return Promise.reject(before.verdict.error);
      if (!effect) return run();
      const after = (settle: () => Promise<T>): Promise<T> => {
        const reached = this.#reach(state, `${label} · after`);
        const answer = (): Promise<T> => {
          if (reached.verdict.kind === 'dead' || state.dead) return never<T>();
          if (reached.verdict.kind === 'throw') return Promise.reject(reached.verdict.error);
          return settle();
        };
        return reached.hold === undefined ? answer() : reached.hold.then(answer);
      };
      return run().then(
        (value) => after(() => Promise.resolve(value)),
        (error: unknown) => after(() => Promise.reject(error instanceof Error ? error : new Error(String(error)))),
      );
    };
    return before.hold === undefined ? proceed() : before.hold.then(proceed);
  }

  #providers(inner: CopyProviders): CopyProviders {
    const wrapped = new Map<string, CopyProvider>();
    return {
      get: (provider, account) => {
        const key = `${provider}/${account}`;
        const existing = wrapped.get(key);
        if (existing !== undefined) return existing;
        const made = this.#provider(inner.get(provider, account));
        wrapped.set(key, made);
        return made;
      },
    };
  }

  /** Every provider call is an await point; those that may change the world also crash after it. */
  #provider(inner: CopyProvider): CopyProvider {
    const name = `${inner.provider}`;
    return {
      provider: inner.provider,
      capacity: inner.capacity,
      planCopy: (request) => inner.planCopy(request),
      listImages: (region, query) => this.#call(`${name}.listImages(${describeQuery(query)})`, false, () => inner.listImages(region, query)),
      startCopy: (request) => this.#call(`${name}.startCopy`, true, () => inner.startCopy(request)),
      // Observing may finish a copy's last step (Huawei tags it): an effect.
      observeCopies: (copies) => this.#call(`${name}.observeCopies`, true, () => inner.observeCopies(copies)),
      findCopy: (request) => this.#call(`${name}.findCopy`, false, () => inner.findCopy(request)),
      cancelCopy: (copy) => this.#call(`${name}.cancelCopy`, true, () => inner.cancelCopy(copy)),
      deleteCopy: (copy) => this.#call(`${name}.deleteCopy`, true, () => inner.deleteCopy(copy)),
      listReplicas: (region) => this.#call(`${name}.listReplicas`, false, () => inner.listReplicas(region)),
      shareImage: (image, accounts) => this.#call(`${name}.shareImage`, true, () => inner.shareImage(image, accounts)),
      unshareImage: (image, accounts) => this.#call(`${name}.unshareImage`, true, () => inner.unshareImage(image, accounts)),
      imageInUse: (image) => this.#call(`${name}.imageInUse`, false, () => inner.imageInUse(image)),
      deprecateImage: (image) => this.#call(`${name}.deprecateImage`, true, () => inner.deprecateImage(image)),
    };
  }

  #jobs(inner: JobStore): JobStore {
    return {
      putIfAbsent: (job) => this.#call('jobs.putIfAbsent', true, () => inner.putIfAbsent(job)),
      get: (id) => this.#call('jobs.get', false, () => inner.get(id)),
      update: (next) => this.#call(`jobs.update→${describeWrite(next)}`, true, () => inner.update(next)),
      listInFlight: () => this.#call('jobs.listInFlight', false, () => inner.listInFlight()),
      list: (filter) => this.#call('jobs.list', false, () => inner.list(filter)),
      setAside: (id, reason) => this.#call('jobs.setAside', true, () => inner.setAside(id, reason)),
      listSetAside: () => this.#call('jobs.listSetAside', false, () => inner.listSetAside()),
    };
  }

  #queue(name: string, inner: MessageQueue): MessageQueue {
    return { send: (body, options) => this.#call(`${name}.send`, true, () => inner.send(body, options)) };
  }

  #transport(inner: WebhookTransport): WebhookTransport {
    return { post: (request) => this.#call('transport.post', true, () => inner.post(request)) };
  }
}

/** The await point a crash point stands for, the same in every run: function and port call. */
export const awaitPointOf = (point: Pick<CrashPoint, 'fn' | 'label'>): string => `${point.fn}: ${point.label}`;

/** The target that reaches `point` again in a replay of the same run: its label, counted within its function. */
export const targetOf = (reached: readonly CrashPoint[], point: CrashPoint): CrashTarget => {
  let nth = 0;
  for (const other of reached) {
    if (other.fn === point.fn && other.label === point.label) nth += 1;
    if (other === point) break;
  }
  return { fn: point.fn, label: point.label, nth };
};

export const describeTarget = (target: ArmedTarget): string =>
  `${target.action === undefined || target.action === ArmedAction.Crash ? '' : `${target.action} `}${target.fn}: ${target.label} (${target.nth}. time)`;

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Dependencies } from '../../shared/platform/fc/dependencies';
import type { Job } from '../../shared/core/domain/job';
import { ReplicaTag } from '../../shared/core/domain/image';
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

/** A numbered point of a clean run, or the nth time a handler reaches an await point (robust to reordering). */
export type CrashTarget = Pick<CrashPoint, 'fn' | 'invocation' | 'point'> | { readonly fn: string; readonly label: string; readonly nth: number };

/** What the `invoke` race rejects with when the simulated process dies. */
export class SimulatedCrash extends Error {
  constructor(readonly at: CrashPoint) {
    super(`simulated crash of ${at.fn} #${at.invocation} at point ${at.point} (${at.label})`);
    this.name = 'SimulatedCrash';
  }
}

interface InvocationState {
  readonly fn: string;
  readonly ordinal: number;
  points: number;
  dead: boolean;
  readonly kill: (error: Error) => void;
}

/** A dead process performs nothing more: its pending awaits simply never come back. */
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

const describeQuery = (query: ImageQuery): string => {
  if (query.imageId !== undefined) return 'by id';
  if (query.tags?.[ReplicaTag.Job] !== undefined) return 'by job tag';
  if (query.tags?.[ReplicaTag.Managed] !== undefined) return query.createdSince === undefined ? 'managed copies' : 'copies since';
  return 'candidates';
};

const describeWrite = (job: Job): string => `${job.status}/${job.notification.status}`;

/**
 * Turns every port call a handler makes into numbered crash points: before the call and, for
 * calls with an effect, after it (the effect happened, the answer is lost). Invocations are told
 * apart with AsyncLocalStorage, so two concurrent ones each count their own points and a dead
 * one's zombie chain is recognised wherever it resumes.
 */
export class CrashHarness {
  readonly #context = new AsyncLocalStorage<InvocationState>();
  readonly #ordinals = new Map<string, number>();
  readonly #reached: CrashPoint[] = [];
  #armed: Array<{ readonly target: CrashTarget; hits: number }> = [];
  readonly #crashes: CrashPoint[] = [];

  /** Every point reached so far, in order: a clean run's list is the menu of crashes to try. */
  get reached(): readonly CrashPoint[] {
    return this.#reached;
  }

  /** The first armed crash that happened, if any. */
  get crashed(): CrashPoint | undefined {
    return this.#crashes[0];
  }

  /** Every armed crash that happened, in order (a crash during recovery from a crash, ...). */
  get crashes(): readonly CrashPoint[] {
    return this.#crashes;
  }

  /** Each target kills one invocation, once. */
  arm(...targets: readonly CrashTarget[]): void {
    this.#armed = targets.map((target) => ({ target, hits: 0 }));
    this.#crashes.length = 0;
  }

  #matches(armed: { readonly target: CrashTarget; hits: number }, point: CrashPoint): boolean {
    const { target } = armed;
    if (target.fn !== point.fn) return false;
    if ('nth' in target) {
      if (target.label !== point.label) return false;
      armed.hits += 1;
      return armed.hits === target.nth;
    }
    return target.invocation === point.invocation && target.point === point.point;
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
    queues: { startCopy: this.#queue('queues.startCopy', deps.queues.startCopy), notify: this.#queue('queues.notify', deps.queues.notify) },
    deadLetters: this.#queue('deadLetters', deps.deadLetters),
    transport: this.#transport(deps.transport),
  });

  /** True when the invocation is (now) dead. */
  #reach(state: InvocationState, label: string): boolean {
    if (state.dead) return true;
    state.points += 1;
    const point: CrashPoint = { fn: state.fn, invocation: state.ordinal, point: state.points, label };
    this.#reached.push(point);
    const index = this.#armed.findIndex((armed) => this.#matches(armed, point));
    if (index < 0) return false;
    this.#armed.splice(index, 1);
    this.#crashes.push(point);
    state.dead = true;
    state.kill(new SimulatedCrash(point));
    return true;
  }

  #call<T>(label: string, effect: boolean, run: () => Promise<T>): Promise<T> {
    const state = this.#context.getStore();
    if (state === undefined) return run();
    if (this.#reach(state, `${label} · before`)) return never();
    if (!effect) return run();
    const after = `${label} · after`;
    return run().then(
      (value) => (this.#reach(state, after) ? never<T>() : value),
      (error: unknown) => {
        if (this.#reach(state, after)) return never<T>();
        throw error;
      },
    );
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

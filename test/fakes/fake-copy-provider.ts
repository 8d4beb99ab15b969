import { type CloudImage, ImageState, ReplicaTag } from '../../shared/core/domain/image';
import { DEFAULT_ACCOUNT, type ProviderId } from '../../shared/core/domain/provider';
import {
  type CancelResult,
  type CapacityRule,
  type CopyDeleted,
  type CopyInFlight,
  type CopyObservation,
  type CopyPlan,
  type CopyProvider,
  type CopyProviders,
  type CopyRequest,
  type ImageQuery,
  type ImageRef,
  type ImageUse,
  type LeftBehind,
  ImageUseState,
  RefusalReason,
  type Replica,
  type ShareResult,
  type StartCopyResult,
} from '../../shared/core/ports/copy-provider';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A copy provider in memory, for use-case tests: copies appear pending and stay so until the test
 * moves them; outcomes can be scripted per call; every request is recorded so tests assert the
 * effect (the call made, with its parameters). It keeps Alibaba-like rules (5 per source region,
 * one running copy per source image, a token gives back the same copy); the wire simulators are
 * the faithful ones.
 */
export class FakeCopyProvider implements CopyProvider {
  readonly images = new Map<string, Mutable<CloudImage>>();
  /** Every copy actually made, by its request. */
  readonly copies: CopyRequest[] = [];
  /** Every startCopy call, made or not. */
  readonly requests: CopyRequest[] = [];
  readonly calls: { op: string; region: string; query?: ImageQuery }[] = [];
  readonly cancelled: string[] = [];
  /** The handles each observeCopies call was asked about. */
  readonly observed: string[][] = [];
  /** Whether a look at one copy of a region sees all of them (as DescribeImages does). */
  observesWholeRegions: boolean | undefined = undefined;
  copiesFromReplicas: boolean | undefined = true;
  readonly deleted: string[] = [];
  readonly capacity: CapacityRule;
  readonly #tokens = new Map<string, string>();
  readonly #scripted: (StartCopyResult | Error)[] = [];
  #cancelAnswer: CancelResult | undefined;
  #seq = 0;

  constructor(
    readonly provider: ProviderId = 'alibaba',
    readonly account: string = DEFAULT_ACCOUNT,
    readonly limitPerRegion = 5,
  ) {
    this.capacity = {
      slotsFor: (copy) => [
        { key: `${provider}/${account}/region/${copy.sourceRegion}`, limit: limitPerRegion },
        { key: `${provider}/${account}/image/${copy.sourceImageId}`, limit: 1 },
      ],
    };
  }

  addImage(image: Partial<CloudImage> & Pick<CloudImage, 'id' | 'region'>): CloudImage {
    const full: Mutable<CloudImage> = { name: image.id, state: ImageState.Available, sizeGiB: 20, tags: {}, createdAt: '2026-01-01T00:00:00.000Z', ...image };
    this.images.set(full.id, full);
    return full;
  }

  setState(imageId: string, state: CloudImage['state'], progressPercent?: number): void {
    const image = this.images.get(imageId);
    if (!image) throw new Error(`no image ${imageId}`);
    image.state = state;
    image.progressPercent = progressPercent;
  }

  /** The next startCopy answers this (or throws it) instead of copying. */
  failNextCopy(outcome: StartCopyResult | Error): void {
    this.#scripted.push(outcome);
  }

  answerCancelWith(result: CancelResult): void {
    this.#cancelAnswer = result;
  }

  async listImages(region: string, query: ImageQuery): Promise<CloudImage[]> {
    await Promise.resolve();
    this.calls.push({ op: 'listImages', region, query });
    return [...this.images.values()]
      .filter((i) => i.region === region)
      .filter((i) => query.imageId === undefined || i.id === query.imageId)
      .filter((i) => query.states.includes(i.state))
      .filter((i) => Object.entries(query.tags ?? {}).every(([k, v]) => i.tags[k] === v))
      .map((i) => ({ ...i }));
  }

  planCopy(request: Pick<CopyRequest, 'source' | 'destination'>): CopyPlan {
    return (request.source.sizeGiB ?? 0) > 2048
      ? { kind: 'refused', code: 'TooLarge', message: 'too large for this provider' }
      : { kind: 'copy', route: 'fake-copy' };
  }

  async startCopy(request: CopyRequest): Promise<StartCopyResult> {
    await Promise.resolve();
    this.calls.push({ op: 'startCopy', region: request.source.region });
    this.requests.push(request);
    const scripted = this.#scripted.shift();
    if (scripted instanceof Error) throw scripted;
    if (scripted !== undefined) return scripted;
    const known = this.#tokens.get(request.idempotencyToken);
    if (known) return { kind: 'started', handle: known, imageId: known, adopted: false };
    const source = this.images.get(request.source.imageId);
    if (!source || source.region !== request.source.region) return { kind: 'source-missing', code: 'NoSuchImage', message: 'no such image' };
    const busy = [...this.images.values()].some((i) => i.state === ImageState.Pending && i.tags[ReplicaTag.SourceImage] === request.source.imageId);
    if (busy) return { kind: 'refused', reason: RefusalReason.Busy, code: 'Conflict', message: 'The same image cannot be copied concurrently.' };
    this.#seq += 1;
    const id = `m-copy${this.#seq}`;
    this.addImage({
      id,
      region: request.destination.region,
      name: request.destination.name,
      state: ImageState.Pending,
      progressPercent: 0,
      sizeGiB: source.sizeGiB,
      tags: { ...request.destination.tags },
      createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + this.#seq).toISOString(),
    });
    this.copies.push(request);
    this.#tokens.set(request.idempotencyToken, id);
    return { kind: 'started', handle: id, imageId: id, adopted: false };
  }

  async observeCopies(copies: readonly CopyInFlight[]): Promise<ReadonlyMap<string, CopyObservation>> {
    await Promise.resolve();
    const answers = new Map<string, CopyObservation>();
    this.calls.push({ op: 'observeCopies', region: [...new Set(copies.map((c) => c.destinationRegion))].join(',') });
    this.observed.push(copies.map((c) => c.handle));
    for (const copy of copies) {
      const image = this.images.get(copy.handle);
      if (image === undefined || image.tags[ReplicaTag.Job] !== copy.jobId) answers.set(copy.jobId, { state: 'missing' });
      else if (image.state === ImageState.Pending) answers.set(copy.jobId, { state: 'running', progressPercent: image.progressPercent });
      else if (image.state === ImageState.Available) answers.set(copy.jobId, { state: 'available', imageId: image.id });
      else answers.set(copy.jobId, { state: 'failed', leftover: true, code: 'CopyFailed', message: 'the copy failed' });
    }
    return answers;
  }

  async findCopy(request: CopyRequest): Promise<{ handle: string; imageId: string; state: ImageState } | undefined> {
    await Promise.resolve();
    this.calls.push({ op: 'findCopy', region: request.destination.region });
    const found = [...this.images.values()].find((i) => i.region === request.destination.region && i.tags[ReplicaTag.Job] === request.jobId);
    return found === undefined ? undefined : { handle: found.id, imageId: found.id, state: found.state };
  }

  async cancelCopy(copy: CopyInFlight): Promise<CancelResult> {
    await Promise.resolve();
    if (this.#cancelAnswer !== undefined) return this.#cancelAnswer;
    const image = this.images.get(copy.handle);
    if (!image) return { kind: 'not-found' };
    if (image.state !== ImageState.Pending) return { kind: 'too-late' };
    this.images.delete(copy.handle);
    this.cancelled.push(copy.handle);
    return { kind: 'cancelled' };
  }

  /** What the next deletions leave behind, as a provider refusing to remove a part would say. */
  leaveBehind: LeftBehind[] = [];

  async deleteCopy(copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>): Promise<CopyDeleted> {
    await Promise.resolve();
    const image = this.images.get(copy.handle);
    if (image && image.region === copy.destinationRegion) {
      this.images.delete(copy.handle);
      this.deleted.push(copy.handle);
    }
    return { leftBehind: [...this.leaveBehind] };
  }

  /** Accounts each image is shared with; images in use by an instance; deprecated images. */
  readonly shares = new Map<string, Set<string>>();
  readonly inUse = new Set<string>();
  readonly deprecated = new Set<string>();

  async shareImage(image: ImageRef, accounts: readonly string[]): Promise<ShareResult> {
    await Promise.resolve();
    this.calls.push({ op: 'shareImage', region: image.region });
    const current = this.shares.get(image.imageId) ?? new Set<string>();
    for (const account of accounts) current.add(account);
    this.shares.set(image.imageId, current);
    return { kind: 'shared', accounts: [...accounts] };
  }

  async unshareImage(image: ImageRef, accounts: readonly string[] | 'all'): Promise<void> {
    await Promise.resolve();
    this.calls.push({ op: 'unshareImage', region: image.region });
    if (accounts === 'all') this.shares.delete(image.imageId);
    else for (const account of accounts) this.shares.get(image.imageId)?.delete(account);
  }

  async imageInUse(image: ImageRef): Promise<ImageUse> {
    await Promise.resolve();
    return this.inUse.has(image.imageId) ? { state: ImageUseState.Used, by: 'an instance' } : { state: ImageUseState.Unused };
  }

  async deprecateImage(image: ImageRef): Promise<void> {
    await Promise.resolve();
    this.deprecated.add(image.imageId);
  }

  async listReplicas(region: string): Promise<Replica[]> {
    await Promise.resolve();
    this.calls.push({ op: 'listReplicas', region });
    return [...this.images.values()]
      .filter((i) => i.region === region && i.tags[ReplicaTag.Managed] === 'true')
      .map((i) => ({
        imageId: i.id,
        region,
        state: i.state,
        sourceImageId: i.tags[ReplicaTag.SourceImage],
        sourceRegion: i.tags[ReplicaTag.SourceRegion],
        jobId: i.tags[ReplicaTag.Job],
        handle: i.id,
        sizeGiB: i.sizeGiB,
        tags: i.tags,
      }));
  }
}

/** A registry over fakes: one per (provider, account), made on first use. */
export const fakeProviders = (...providers: FakeCopyProvider[]): CopyProviders & { readonly all: FakeCopyProvider[] } => {
  const all = [...providers];
  return {
    all,
    get(provider, account) {
      const found = all.find((p) => p.provider === provider && p.account === account);
      if (found !== undefined) return found;
      const made = new FakeCopyProvider(provider, account);
      all.push(made);
      return made;
    },
  };
};

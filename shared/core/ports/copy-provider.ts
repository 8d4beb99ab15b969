import type { CloudImage, ImageState } from '../domain/image';
import type { LeftBehind } from '../domain/job';
import type { ProviderId } from '../domain/provider';

export type { LeftBehind };

/**
 * What the core needs from a cloud's image service to replicate an image: the provider-neutral
 * copy lifecycle. Each provider (shared/providers/<name>/) implements it and translates its own
 * API, error codes and limits inside its folder; the core only sees the shapes below.
 *
 * A copy is whatever the provider needs to make one image appear in another region: one call, a
 * job of the provider's to poll, or several steps (snapshots, then an image). The provider hands back an opaque handle when a copy starts; the core stores it on the
 * job and gives it back on every later call. Every call is idempotent for a given job attempt
 * (a token, or find-before-create), so a crash at any point and a redelivery never make two copies.
 */

export { DEFAULT_ACCOUNT, PROVIDER_IDS, ProviderId } from '../domain/provider';

/** Opaque to the core: what the provider needs to find its copy again. At most 4 KiB when serialised. */
export type CopyHandle = string;
export const MAX_COPY_HANDLE_LENGTH = 4096;

/** Which images to list. Every filter given must match. */
export interface ImageQuery {
  readonly imageId?: string | undefined;
  /** Exact tag matches (all of them). */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** States to include. Providers that hide non-available images by default must be told explicitly. */
  readonly states: readonly ImageState[];
  /** Only the account's own custom images. */
  readonly ownedBySelf?: boolean | undefined;
  /** Only images created at or after this instant (minute precision is enough). */
  readonly createdSince?: Date | undefined;
}

/** Everything a provider needs to start (or find again) the copy of one job attempt. */
export interface CopyRequest {
  /** The job's id: recorded on the copy (tag) where the provider allows it. */
  readonly jobId: string;
  readonly source: { readonly region: string; readonly imageId: string; readonly sizeGiB?: number | undefined };
  readonly destination: {
    readonly region: string;
    /** Deterministic per job: the provider may find a copy again by it. */
    readonly name: string;
    readonly description?: string | undefined;
    readonly encrypted?: boolean | undefined;
    readonly kmsKeyId?: string | undefined;
    readonly tags: Readonly<Record<string, string>>;
    /** The source's own tags, asked for by the policy: added under `tags`, as many as the provider's limit leaves room for. */
    readonly copiedTags?: Readonly<Record<string, string>> | undefined;
    /** The image family the copy joins. */
    readonly family?: string | undefined;
    /** Validated per provider by the policy schema (Huawei: agencyName, projectName); opaque here. */
    readonly options?: Readonly<Record<string, string>> | undefined;
  };
  /** Same token, same copy, for providers that take one: derived from the job, its round and attempt. */
  readonly idempotencyToken: string;
  /** When the job was claimed for this attempt: a copy found by name and made after it is this attempt's. */
  readonly claimedAt: Date;
}

/** Why a provider did not start a copy. The core's only vocabulary for refusals. */
export const RefusalReason = {
  /** A limit on running copies (per region, per image, per tenant): try again when one ends. */
  Busy: 'busy',
  /** Going too fast: slow the whole dispatch down. */
  Throttled: 'throttled',
  /** An account quota (images per region): an operator must act; the job fails. */
  Quota: 'quota',
  /** The request can never succeed as asked (too large, encrypted, bad agency, name taken by a stranger). */
  Invalid: 'invalid',
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

export interface ProviderProblem {
  /** Stable; the provider's own code where it comes from the provider: for the record only, never decided on. */
  readonly code: string;
  readonly message: string;
}

export type StartCopyResult =
  /** The copy runs (or ran): `adopted` when it already existed and was found instead of made. */
  | { readonly kind: 'started'; readonly handle: CopyHandle; readonly imageId?: string | undefined; readonly adopted: boolean }
  | ({
      readonly kind: 'refused';
      readonly reason: RefusalReason;
      /** For `busy`: which of the copy's capacity slots is taken (all of them when absent). */
      readonly busySlots?: readonly string[] | undefined;
    } & ProviderProblem)
  /** The call may or may not have started a copy (lost answer, timeout): never submit blindly again. */
  | ({ readonly kind: 'unknown' } & ProviderProblem)
  /** The source image is gone. */
  | ({ readonly kind: 'source-missing' } & ProviderProblem);

/** A copy the core is waiting for. */
export interface CopyInFlight {
  readonly jobId: string;
  readonly handle: CopyHandle;
  readonly sourceRegion: string;
  readonly sourceImageId: string;
  readonly destinationRegion: string;
  readonly destinationName: string;
  /** Tags the finished copy must carry: providers that cannot tag on copy add them when it ends. */
  readonly tags: Readonly<Record<string, string>>;
  /** The family the finished copy must join, set when it ends where the copy call cannot. */
  readonly family?: string | undefined;
  readonly startedAt: Date;
}

export type CopyObservation =
  | {
      readonly state: 'running';
      /** 0–100. */
      readonly progressPercent?: number | undefined;
      /** The provider's own estimate, when it gives one. */
      readonly remainingSeconds?: number | undefined;
      /** Set when the provider learned more about its copy (the destination image id): store it. */
      readonly handle?: CopyHandle | undefined;
      readonly imageId?: string | undefined;
    }
  | {
      readonly state: 'available';
      readonly imageId: string;
      readonly handle?: CopyHandle | undefined;
      /**
       * How long the copy took by the provider's own clock (its start to its end), where the
       * provider keeps both: the copy's speed is then known however late the look that saw it done.
       */
      readonly copySeconds?: number | undefined;
    }
  /** Ended without an image. `leftover`: something of it remains and must be deleted before a retry. */
  | ({ readonly state: 'failed'; readonly leftover: boolean } & ProviderProblem)
  /** No trace of the copy (deleted by somebody, or never made). */
  | { readonly state: 'missing' }
  /** Could not be looked at this time (throttled, region unreachable): nothing is concluded. */
  | ({ readonly state: 'unobserved'; readonly retryable: boolean } & ProviderProblem);

export type CancelResult =
  /** Stopped; cancelling by deleting (a copy through snapshots) may leave parts the provider kept (see CopyDeleted). */
  | { readonly kind: 'cancelled'; readonly leftBehind?: readonly LeftBehind[] | undefined }
  /** Already finished or failed: the next observation tells which. */
  | { readonly kind: 'too-late' }
  | { readonly kind: 'not-found' }
  /** The provider cannot stop a running copy: it may still finish, and is deleted then. */
  | { readonly kind: 'unsupported' };

/** A copy of ours found in a destination region, recognised by our managed tag. */
export interface Replica {
  readonly imageId: string;
  readonly region: string;
  readonly state: ImageState;
  readonly sourceRegion?: string | undefined;
  readonly sourceImageId?: string | undefined;
  /** The job that made it, from its tag: a copy is adopted by a job only when this is that job. */
  readonly jobId?: string | undefined;
  readonly handle: CopyHandle;
  readonly sizeGiB: number;
  readonly createdAt?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** One slot a running copy takes: at most `limit` copies with the same key run at once. */
export interface CapacitySlot {
  readonly key: string;
  readonly limit: number;
}

/** The provider's limits on running copies, as data the core counts with once. */
export interface CapacityRule {
  slotsFor(copy: { readonly sourceRegion: string; readonly sourceImageId: string; readonly destinationRegion: string }): readonly CapacitySlot[];
}

/** How a provider would copy an image, or why it cannot. Known before anything is called. */
export type CopyPlan =
  | { readonly kind: 'copy'; readonly route: string }
  | ({ readonly kind: 'refused' } & ProviderProblem);

/** An image of ours in a region: a finished copy, or a source shared in place. */
export interface ImageRef {
  readonly region: string;
  readonly imageId: string;
  /** The copy's handle, when it is a copy: what deleteCopy needs to remove everything it holds. */
  readonly handle?: string | undefined;
  /** The accounts we shared it with (its job's record): ours to take back, unlike anyone else's. */
  readonly sharedWith?: readonly string[] | undefined;
}

/**
 * Whether anything runs or would launch from an image: what retention asks right before a deletion.
 * `used` names what (servers, a launch template, a scaling configuration), `unknown` why the
 * provider cannot tell; retention deletes only an image `unused`.
 */
export const ImageUseState = { Unused: 'unused', Used: 'used', Unknown: 'unknown' } as const;
export type ImageUse =
  | { readonly state: typeof ImageUseState.Unused }
  | { readonly state: typeof ImageUseState.Used; readonly by: string }
  | { readonly state: typeof ImageUseState.Unknown; readonly why: string };

/** A deletion that went as far as it can: the copy is gone, and these of its parts are not. */
export interface CopyDeleted {
  readonly leftBehind: readonly LeftBehind[];
}

export const NOTHING_LEFT: CopyDeleted = { leftBehind: [] };

export type ShareResult =
  | { readonly kind: 'shared'; readonly accounts: readonly string[] }
  | ({ readonly kind: 'refused'; readonly reason: RefusalReason } & ProviderProblem);

export interface CopyProvider {
  readonly provider: ProviderId;
  readonly capacity: CapacityRule;
  /**
   * One look answers for every copy in a destination region (a listing), so a look at one copy due
   * there looks at all of them for free. False where each copy is looked at on its own.
   */
  readonly observesWholeRegions?: boolean | undefined;
  /**
   * A finished copy may be the source of further copies (relay fan-out), and pays: the provider
   * limits copies per source image, so each replica adds a way out. False where the limit is one
   * pool for the whole account: a replica adds no capacity, and copies come from the source alone.
   */
  readonly copiesFromReplicas?: boolean | undefined;
  /** A share reaches its recipient as an offer the recipient accepts (IMS members), not at once. */
  readonly sharesAwaitAcceptance?: boolean | undefined;
  /** Source images and anything else by filter; all pages. */
  listImages(region: string, query: ImageQuery): Promise<CloudImage[]>;
  /** Which route a copy of this image to this region takes, or why there is none (size, encryption). */
  planCopy(request: Pick<CopyRequest, 'source' | 'destination'> & { readonly sourceImage?: CloudImage | undefined }): CopyPlan;
  /** Starts (or finds again) the copy of one job attempt. Refusals are answers, not throws. */
  startCopy(request: CopyRequest): Promise<StartCopyResult>;
  /** Looks at copies in flight, in whatever batches the provider finds cheapest. One answer per job id. */
  observeCopies(copies: readonly CopyInFlight[]): Promise<ReadonlyMap<string, CopyObservation>>;
  /** The copy of a job, if one exists (an abandoned dispatch, a lost answer). Never starts anything. */
  findCopy(request: CopyRequest): Promise<{ readonly handle: CopyHandle; readonly imageId?: string | undefined; readonly state: ImageState } | undefined>;
  cancelCopy(copy: CopyInFlight): Promise<CancelResult>;
  /**
   * What deleting a copy must remove, as a handle that still knows it once the image is gone (on
   * ECS, a one-step copy's snapshots, which DeleteImage leaves behind and which only the image
   * names). Retention stores it on the job before anything is deleted, so a try after a lost answer
   * finishes the deletion. Absent where the handle already knows all a copy holds.
   */
  deletionHandle?(copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>): Promise<CopyHandle>;
  /**
   * Removes a copy and what it holds (a failed leftover, a cancelled copy); gone already is fine.
   * Throws while the copy itself could not go (retryable: try again), and once it is gone answers
   * what of its parts the provider refused to remove, instead of throwing.
   */
  deleteCopy(copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>): Promise<CopyDeleted>;
  /** Our copies in a region (managed tag), for adoption, relaying and retention. */
  listReplicas(region: string): Promise<Replica[]>;
  /** Shares an image with accounts (idempotent: those already shared are left as they are). */
  shareImage(image: ImageRef, accounts: readonly string[]): Promise<ShareResult>;
  /** Takes accounts (or all of them) off an image, before it is deleted; an image the provider says is gone has nobody to take off. */
  unshareImage(image: ImageRef, accounts: readonly string[] | 'all'): Promise<void>;
  /** Does anything run or launch from the image (servers, templates, scaling)? `unknown`: treated as yes. */
  imageInUse(image: ImageRef): Promise<ImageUse>;
  /** Marks an image deprecated (still there, no longer offered as the newest). */
  deprecateImage(image: ImageRef): Promise<void>;
}

/** Resolves the provider of a job or policy: one per (provider, account). */
export interface CopyProviders {
  get(provider: ProviderId, account: string): CopyProvider;
}

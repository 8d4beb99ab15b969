import type { ProviderId } from './provider';
import type { ImageState } from './image';

/**
 * A replication job: one (provider, account, source region, source image, destination region). Its life:
 *
 *   waiting_for_source ──source available──▶ queued ──claim──▶ dispatching ──copy started─▶ copying ──▶ available
 *          │                                  ▲  ▲                 │                            │
 *          └─source failed/missing─▶ failed   │  └──deferred───────┘ (conflict, throttled, lost) │
 *                                             └──────────── copy failed, attempts left ─────────┘──▶ failed / timed_out
 *
 * `dispatching` exists because starting a copy is not transactional with our table: a job in it
 * may or may not have a copy in the destination, and recovery asks the provider to find it.
 */
export const JobStatus = {
  WaitingForSource: 'waiting_for_source',
  Queued: 'queued',
  Dispatching: 'dispatching',
  Copying: 'copying',
  /**
   * The copy is being stopped (it ran past its timeout, or an operator cancelled it). The decision
   * is on record before the provider is asked, so every poll reads a copy that vanishes now as
   * stopped, whatever its clock says. A copy the provider cannot stop is watched until it ends and
   * deleted then; only then does the job record its outcome.
   */
  Stopping: 'stopping',
  /** The copy is available; it is being shared with the accounts the policy names. */
  Sharing: 'sharing',
  Available: 'available',
  Failed: 'failed',
  TimedOut: 'timed_out',
  Cancelled: 'cancelled',
  /** The copy still exists, marked deprecated: retention deletes it after a grace period. */
  Deprecated: 'deprecated',
  /** Retention is deleting the copy: unshare, delete the image, then its snapshots. */
  Pruning: 'pruning',
  /** Retention deleted the copy. */
  Pruned: 'pruned',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** Nothing more to do for the job's current round (retention may still prune an available copy). */
export const TERMINAL_STATUSES: readonly JobStatus[] = [
  JobStatus.Available,
  JobStatus.Failed,
  JobStatus.TimedOut,
  JobStatus.Cancelled,
  JobStatus.Deprecated,
  JobStatus.Pruned,
];

/** A copy of ours exists in the destination and is usable (or about to be deleted on purpose). */
export const COPY_EXISTS_STATUSES: readonly JobStatus[] = [JobStatus.Sharing, JobStatus.Available, JobStatus.Deprecated, JobStatus.Pruning];
/** Jobs that hold one of the provider's copy slots. */
export const RUNNING_STATUSES: readonly JobStatus[] = [JobStatus.Dispatching, JobStatus.Copying, JobStatus.Stopping];

/** The outcomes a stopped copy can end a job in. */
export type StopOutcome = typeof JobStatus.TimedOut | typeof JobStatus.Cancelled;

/** Why a copy is being stopped, and since when. */
export interface Stop {
  readonly outcome: StopOutcome;
  /** The operator's reason for a cancel. */
  readonly reason?: string | undefined;
  readonly since: string;
}

export const NotificationStatus = {
  /** The job has not reached an outcome yet, or the policy has no webhooks. */
  None: 'none',
  Pending: 'pending',
  Delivered: 'delivered',
  /** At least one webhook kept failing and was given up on; the job records which. */
  GaveUp: 'gave_up',
} as const;
export type NotificationStatus = (typeof NotificationStatus)[keyof typeof NotificationStatus];

export const DeliveryStatus = { Pending: 'pending', Delivered: 'delivered', GaveUp: 'gave_up' } as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/**
 * A part of a deleted copy the provider would not remove (a snapshot a disk was made from): it
 * stays, billed, until someone removes it. `id` is the provider's, `why` its answer.
 */
export interface LeftBehind {
  readonly id: string;
  readonly why: string;
}

/** Parts named on a job at most (an ECS image has at most 17 disks, each a snapshot), and the length kept of an id and of an answer. */
export const MAX_LEFT_BEHIND = 17;
export const MAX_LEFT_BEHIND_ID = 128;
export const MAX_LEFT_BEHIND_WHY = 300;

export interface JobError {
  readonly code: string;
  readonly message: string;
  readonly at: string;
}

export interface WebhookDelivery {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError?: string | undefined;
  readonly deliveredAt?: string | undefined;
}

export interface JobNotification {
  readonly status: NotificationStatus;
  /** Stable per outcome: receivers dedupe on it. */
  readonly eventId?: string | undefined;
  readonly requestedAt?: string | undefined;
  readonly webhooks: Readonly<Record<string, WebhookDelivery>>;
}

/** What a policy asks for; fixed when the job is created. */
export interface JobSpec {
  readonly policy: string;
  /** Which cloud, and which of its accounts: part of the job's identity. */
  readonly provider: ProviderId;
  readonly account: string;
  readonly source: {
    readonly region: string;
    readonly imageId: string;
    readonly imageName: string;
    readonly sizeGiB?: number | undefined;
    /** The source's image family: what retention groups copies by. */
    readonly family?: string | undefined;
    /** When the source was created, as its provider says: retention's order of a group's versions. */
    readonly createdAt?: string | undefined;
  };
  readonly destination: {
    readonly region: string;
    readonly imageName: string;
    readonly description?: string | undefined;
    readonly encrypted?: boolean | undefined;
    readonly kmsKeyId?: string | undefined;
    readonly tags: Readonly<Record<string, string>>;
    /** Provider-specific settings of the policy (Huawei: agencyName, projectName), opaque to the core. */
    readonly options?: Readonly<Record<string, string>> | undefined;
    /** The source's own tags the policy copies (under ours and the policy's). */
    readonly copiedTags?: Readonly<Record<string, string>> | undefined;
    /** The family the copy joins. */
    readonly family?: string | undefined;
  };
  readonly copyTimeoutSeconds: number;
  readonly maxAttempts: number;
  /** Names of the policy's webhooks; the URLs and secrets stay in config. */
  readonly webhooks: readonly string[];
  /** Accounts the copy is shared with once available (their ids, as the provider writes them). */
  readonly shareWith?: readonly string[] | undefined;
  /** No copy: the source image itself is shared, in its own region. */
  readonly shareOnly?: boolean | undefined;
  /** False when the policy turned relaying off: copies come from the source image only. */
  readonly allowRelay?: boolean | undefined;
}

export interface Job extends JobSpec {
  readonly id: string;
  /** Incremented on every write; updates are conditional on it. */
  readonly version: number;
  readonly status: JobStatus;
  /** 1-based copy attempt within the current round. */
  readonly attempt: number;
  /** Incremented when the nightly sweep reopens a job that ended without a copy. */
  readonly round: number;
  /** What the provider gave when the copy started, to find it again; opaque to the core. */
  readonly copyHandle?: string | undefined;
  /** The copy's image in the destination, once the provider names it. */
  readonly destinationImageId?: string | undefined;
  /** How the provider copies (e.g. `copy-image`, `snapshots`, `cross-region-copy`), once planned. */
  readonly route?: string | undefined;
  readonly progressPercent?: number | undefined;
  /** The provider's own estimate of the time left, when it gives one. */
  readonly remainingSeconds?: number | undefined;
  /** Accounts the copy is shared with. */
  readonly sharedWith?: readonly string[] | undefined;
  /** The provider offered the share: each recipient accepts it before it can use the copy. */
  readonly shareAwaitsAcceptance?: boolean | undefined;
  /** Finished replicas of the source this job may copy from (relay fan-out), newest last. */
  readonly relays?: readonly Relay[] | undefined;
  /** The replica the current attempt copies from; the source itself when absent. */
  readonly relay?: Relay | undefined;
  /**
   * The current attempt chose the source image itself. Its token is bound to that choice: a retry
   * of the attempt (after an answer it never got) must ask the same thing, not a replica.
   */
  readonly attemptFromSource?: boolean | undefined;
  /**
   * The current copy was found, not started by this attempt: `copyStartedAt` is when it was found,
   * so its speed says nothing.
   */
  readonly copyAdopted?: boolean | undefined;
  /**
   * When the copy is expected to finish, from its progress rate or the provider's estimate; at 0 %
   * (before its first look, or waiting at the provider) only when it is next looked at.
   */
  readonly expectedDoneAt?: string | undefined;
  /** Set while the job is `stopping`: the outcome it ends in once its copy is gone. */
  readonly stop?: Stop | undefined;
  /** When retention marked the copy deprecated. */
  readonly deprecatedAt?: string | undefined;
  /** When retention's deletion removed the copy's image but not yet all it held: it is never available again. */
  readonly imageGoneAt?: string | undefined;
  /** What retention's deletion could not remove once the copy was gone (see LeftBehind). */
  readonly leftBehind?: readonly LeftBehind[] | undefined;
  readonly lastError?: JobError | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly copyStartedAt?: string | undefined;
  readonly finishedAt?: string | undefined;
  /** How long the finished copy took by the provider's own clock, where it keeps one (copy-speed.ts reads it). */
  readonly providerCopySeconds?: number | undefined;
  /** Not to be dispatched before this instant (retry backoff, throttling). */
  readonly notBefore?: string | undefined;
  readonly notification: JobNotification;
  /** What happened to the job, oldest first: append-only, across rounds, bounded (history.ts). */
  readonly history?: readonly HistoryEntry[] | undefined;
  /** Entries dropped from the middle of a long history. */
  readonly historyDropped?: number | undefined;
}

/** One line of a job's history: when, what, and why. */
export interface HistoryEntry {
  readonly at: string;
  /** The event's type (`created` for the first entry); a string, so entries of newer versions still read. */
  readonly event: string;
  /** The status after the event, and before it when it changed. */
  readonly status: JobStatus;
  readonly from?: JobStatus | undefined;
  readonly round: number;
  readonly attempt: number;
  /** The provider call it came from (startCopy, observeCopies, ...), when there was one. */
  readonly call?: string | undefined;
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
}

export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.includes(status);
export const isRunning = (status: JobStatus): boolean => RUNNING_STATUSES.includes(status);
/** A queued job told not to start before a later instant (a retry's back-off): not startable now. */
export const isBackingOff = (job: Pick<Job, 'notBefore'>, now: Date): boolean => job.notBefore !== undefined && new Date(job.notBefore) > now;

/**
 * A job is in flight while it still needs work from poll-status: not finished, or finished with
 * its notification not yet settled. The job store keeps an access path for exactly these.
 */
export const isInFlight = (job: Pick<Job, 'status' | 'notification'>): boolean =>
  !isTerminal(job.status) || job.notification.status === NotificationStatus.Pending;

/** What the product learned or decided; the only way a job changes. */
export type JobEvent =
  | { readonly type: 'source.observed'; readonly state: ImageState | 'missing'; readonly sizeGiB?: number | undefined }
  /** `relay`: this attempt copies from a finished replica instead of the source (kept until the attempt ends). */
  | { readonly type: 'dispatch.claimed'; readonly relay?: Relay | undefined }
  /** A sibling copy of the same source image became available: a replica this job may copy from. */
  | { readonly type: 'relay.available'; readonly relay: Relay }
  | {
      readonly type: 'copy.accepted';
      readonly handle: string;
      readonly destinationImageId?: string | undefined;
      readonly route?: string | undefined;
      /** The copy existed already (found again, not started now): its start is not known. */
      readonly adopted?: boolean | undefined;
      /** How long copies over its link took before (observed speeds): when its first look is aimed. */
      readonly expectedSeconds?: number | undefined;
    }
  | { readonly type: 'dispatch.deferred'; readonly reason: JobErrorInput; readonly retryAt?: Date | undefined }
  | { readonly type: 'dispatch.rejected'; readonly error: JobErrorInput }
  | {
      readonly type: 'copy.observed';
      readonly state: CopyState;
      readonly progressPercent?: number | undefined;
      readonly remainingSeconds?: number | undefined;
      /** The provider learned more about its copy (a new handle, the destination image id). */
      readonly handle?: string | undefined;
      readonly destinationImageId?: string | undefined;
      readonly error?: JobErrorInput | undefined;
      /** Available: how long the copy took by the provider's own clock, when it says. */
      readonly copySeconds?: number | undefined;
    }
  /** The copy is to be stopped: decided (and stored) before the provider is asked. */
  | { readonly type: 'copy.stopping'; readonly outcome: StopOutcome; readonly reason?: string | undefined }
  /** The copy is gone (cancelled, or deleted once it ended); `abandoned`: it could not be stopped and never ended. */
  | { readonly type: 'copy.stopped'; readonly abandoned?: boolean | undefined }
  /** The provider answered that the copy had already ended: it is watched as before and its end stands. */
  | { readonly type: 'copy.resumed' }
  | {
      readonly type: 'share.completed';
      readonly accounts: readonly string[];
      /** The recipients still have to accept the share (the provider offers it). */
      readonly awaitingAcceptance?: boolean | undefined;
    }
  | { readonly type: 'share.refused'; readonly error: JobErrorInput }
  | { readonly type: 'deprecated' }
  | { readonly type: 'prune.started'; readonly reason: string; /** What the deletion must remove, if the provider said (CopyProvider.deletionHandle). */ readonly handle?: string | undefined }
  | { readonly type: 'prune.completed'; /** What the provider would not remove (see LeftBehind). */ readonly leftBehind?: readonly LeftBehind[] | undefined }
  /** The copy could not be deleted (in use, refused): it stays, and says why. */
  | { readonly type: 'prune.refused'; readonly error: JobErrorInput }
  /** The deletion removed the copy's image, and failed on what it held (CopyPartlyDeleted): it goes on from there. */
  | { readonly type: 'prune.imageGone'; readonly error: JobErrorInput }
  | { readonly type: 'cancelled'; readonly reason: string }
  | { readonly type: 'reopened' }
  | { readonly type: 'notification.requeued' }
  /** Deliveries name the outcome they were for: a late answer must not settle a newer outcome. */
  | { readonly type: 'webhook.delivered'; readonly eventId: string; readonly webhook: string }
  | { readonly type: 'webhook.failed'; readonly eventId: string; readonly webhook: string; readonly error: string; readonly giveUp: boolean };

/** A finished copy of the job's source image, elsewhere: copying from it is copying the source. */
export interface Relay {
  readonly region: string;
  readonly imageId: string;
}

/** What an observation of a copy found. */
export const CopyState = { Running: 'running', Available: 'available', Failed: 'failed', Missing: 'missing' } as const;
export type CopyState = (typeof CopyState)[keyof typeof CopyState];

export interface JobErrorInput {
  readonly code: string;
  readonly message: string;
}

export type JobEventType = JobEvent['type'];

/** The most attempts any webhook still pending has had: what the next retry's delay follows. */
export const pendingDeliveryAttempts = (job: Pick<Job, 'notification'>): number =>
  Math.max(0, ...Object.values(job.notification.webhooks).map((d) => (d.status === DeliveryStatus.Pending ? d.attempts : 0)));

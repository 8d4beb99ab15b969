import { secondsBetween } from './clock';
import { type Job, JobStatus } from './job';

/**
 * When poll-status looks at a copy. The providers send no event when a copy ends, so we predict
 * it (expectedDoneAt, from the copy's progress rate or the provider's own estimate) and look then,
 * not every minute everywhere: fewer calls, and a finished copy is seen within seconds. Before the
 * first look, expectedDoneAt is that look (aimed from observed speeds, see firstLookAt), not an end.
 *
 * The timer (every POLL_TIMER_SECONDS) opens a window until its next tick; it looks at every copy
 * due, every copy not yet predicted, and every copy not looked at for SLOW_LOOK_SECONDS (the safety
 * net for a prediction that is wrong). Copies due inside the window get a delayed look message,
 * one at a time: each look schedules the next due instant before the window's end, and no look
 * schedules past it, so one chain runs per window however often messages are redelivered.
 */

/** The poll-status timer's interval (s.yaml's cron). */
export const POLL_TIMER_SECONDS = 60;
/**
 * A copy that looks on course is still looked at this often: the safety net for a prediction that
 * is wrong. Every look at a region refreshes all its copies, so this is rarely what triggers one.
 */
export const SLOW_LOOK_SECONDS = 1800;
/**
 * A copy just started shows a percent or two: a prediction from that is minutes off. Its first
 * look waits this long (a look at its region for another copy often comes first, for free).
 */
export const FIRST_LOOK_SECONDS = 120;
/**
 * A copy over a link whose speed was observed is first looked at this share of the way through
 * the time copies there took, not after FIRST_LOOK_SECONDS: its percent then says when it ends to
 * within seconds, and the look that reads a percent or two and the look that narrows it are both
 * spared. Half, because a speed is an average over sizes (a copy's fixed costs make small images
 * slower per GiB than large ones) and a look after the end is a late notification.
 */
export const PREDICTED_FIRST_LOOK_SHARE = 0.5;
/**
 * The latest such a first look comes. A figure too slow for the link (copies that waited at the
 * provider, a link that got faster) makes a copy that already ended be seen late, and keeps its
 * source image's one copy slot taken meanwhile: ten minutes at most. The speed recorded then is
 * still at least twice the figure's, so the figure climbs back within a few copies.
 */
export const PREDICTED_FIRST_LOOK_MAX_SECONDS = 600;

/** When a copy just started is first looked at, from the seconds copies over its link took; undefined: the usual first look. */
export const firstLookAt = (startedAt: Date, expectedSeconds: number | undefined): Date | undefined => {
  if (expectedSeconds === undefined || !Number.isFinite(expectedSeconds) || expectedSeconds <= 0) return undefined;
  const delay = Math.min(Math.max(PREDICTED_FIRST_LOOK_SHARE * expectedSeconds, FIRST_LOOK_SECONDS), PREDICTED_FIRST_LOOK_MAX_SECONDS);
  return new Date(startedAt.getTime() + Math.round(delay) * 1000);
};

/**
 * The copy's end as its progress (or the provider's remaining time) predicted it; undefined while
 * it showed no progress, when `expectedDoneAt` is only its next look (firstLookAt, a copy at 0 %).
 */
export const predictedEndOf = (job: Job): Date | undefined => {
  const predicted = (job.progressPercent ?? 0) > 0 || job.remainingSeconds !== undefined;
  const at = predicted && job.expectedDoneAt !== undefined ? Date.parse(job.expectedDoneAt) : Number.NaN;
  return Number.isFinite(at) ? new Date(at) : undefined;
};

/** A look this close before a copy's predicted end counts it as due: no second message for a second. */
const DUE_MARGIN_MS = 1_000;
/** The smallest delay a look is scheduled with: a prediction a hair away is looked at with the next. */
const MIN_LOOK_DELAY_SECONDS = 2;

export const LookKind = { Tick: 'tick', Look: 'look' } as const;
export type LookKind = (typeof LookKind)[keyof typeof LookKind];

const deadlineOf = (job: Job): number | undefined =>
  job.copyStartedAt === undefined ? undefined : new Date(job.copyStartedAt).getTime() + job.copyTimeoutSeconds * 1000;

/** At (or within a second of) its timeout: a look now stops it, whoever's clock is a hair early. */
export const isPastDeadline = (job: Job, now: Date): boolean => {
  const deadline = deadlineOf(job);
  return deadline !== undefined && deadline <= now.getTime() + DUE_MARGIN_MS;
};

/** Whether a copying or stopping job is looked at in this pass. */
export const isDue = (job: Job, now: Date, kind: LookKind): boolean => {
  // Stopping is past its deadline for good: the timer's pace is enough, every look would be waste.
  if (job.status === JobStatus.Stopping) return kind === LookKind.Tick;
  const at = now.getTime() + DUE_MARGIN_MS;
  if (isPastDeadline(job, now)) return true;
  if (job.expectedDoneAt !== undefined && new Date(job.expectedDoneAt).getTime() <= at) return true;
  if (kind === LookKind.Look) return false;
  if (job.expectedDoneAt === undefined) return job.copyStartedAt === undefined || secondsBetween(job.copyStartedAt, now) >= FIRST_LOOK_SECONDS;
  return secondsBetween(job.updatedAt, now) >= SLOW_LOOK_SECONDS;
};

/**
 * Where one look sees a whole region, a copy not yet predicted waits for the look its region gets
 * anyway when a neighbour is due within this long: it is predicted then, for nothing.
 */
export const UNPREDICTED_WAIT_SECONDS = 300;

/**
 * `isDue`, for a copy among the others of its destination region (`neighbours`, itself included)
 * when one look sees them all: a copy only due for its first look waits for a neighbour's look
 * coming soon, up to UNPREDICTED_WAIT_SECONDS after it started.
 */
export const isDueInRegion = (job: Job, neighbours: readonly Job[], now: Date, kind: LookKind): boolean => {
  if (!isDue(job, now, kind)) return false;
  if (job.expectedDoneAt !== undefined || job.status === JobStatus.Stopping || isPastDeadline(job, now)) return true;
  if (job.copyStartedAt === undefined || secondsBetween(job.copyStartedAt, now) >= UNPREDICTED_WAIT_SECONDS) return true;
  const soon = now.getTime() + UNPREDICTED_WAIT_SECONDS * 1000;
  return !neighbours.some((other) => other.id !== job.id && other.expectedDoneAt !== undefined && new Date(other.expectedDoneAt).getTime() <= soon);
};

/** The next instant after `now` and before `until` some copy is due; undefined when none is. */
export const nextLookAt = (jobs: Iterable<Job>, now: Date, until: Date): Date | undefined => {
  let next = Number.POSITIVE_INFINITY;
  for (const job of jobs) {
    if (job.status !== JobStatus.Copying) continue;
    for (const at of [job.expectedDoneAt === undefined ? undefined : new Date(job.expectedDoneAt).getTime(), deadlineOf(job)]) {
      if (at !== undefined && at > now.getTime() && at < next) next = at;
    }
  }
  return next < until.getTime() ? new Date(Math.max(next, now.getTime() + MIN_LOOK_DELAY_SECONDS * 1000)) : undefined;
};

/** A look's window ends at most one timer interval after it opened: a forged or stale message cannot stretch it. */
export const windowEnd = (now: Date, until?: Date): Date => {
  const cap = now.getTime() + POLL_TIMER_SECONDS * 1000;
  return new Date(until === undefined ? cap : Math.min(until.getTime(), cap));
};

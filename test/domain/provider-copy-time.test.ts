import { describe, expect, it } from 'vitest';
import { addSeconds } from '../../shared/core/domain/clock';
import { finishedCopySpeed, PROVIDER_CLOCK_LEEWAY_SECONDS, recordedCopySpeed } from '../../shared/core/domain/copy-speed';
import { ImageState } from '../../shared/core/domain/image';
import { type Job, type JobEvent, type JobSpec, JobStatus } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';

const START = new Date('2026-03-01T00:00:00.000Z');
const MINUTE = 60;

const spec: JobSpec = {
  policy: 'golden',
  provider: 'huawei',
  account: 'default',
  source: { region: 'cn-north-4', imageId: 'src-1', imageName: 'golden-1', sizeGiB: 100 },
  destination: { region: 'cn-east-3', imageName: 'golden-1', tags: {} },
  copyTimeoutSeconds: 6 * 3600,
  maxAttempts: 2,
  webhooks: [],
};

/** A copy started at START, through the real transitions. */
const copying = (): Job =>
  [{ type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: 'job-1', destinationImageId: 'img-1' }].reduce(
    (job, event) => advance(job, event as JobEvent, START),
    newJob('rj-1', spec, ImageState.Available, START),
  );

/** The look `secondsIn` after START that sees it done, the provider saying it took `copySeconds`. */
const seenDone = (before: Job, secondsIn: number, copySeconds?: number) => {
  const seenAt = addSeconds(START, secondsIn);
  const after = advance(before, { type: 'copy.observed', state: 'available', copySeconds }, seenAt);
  return { after, seenAt };
};

describe('a finished copy timed by the provider’s own clock', () => {
  it('is timed by that clock when its first look came long after its end', () => {
    // Prepare: 100 GiB that took 30 minutes by the provider's clock, first seen done at 90
    const before = copying();
    const { after, seenAt } = seenDone(before, 90 * MINUTE, 30 * MINUTE);

    // Act
    const speed = finishedCopySpeed(before, after, seenAt);

    // Assess
    expect(after.status).toBe(JobStatus.Available);
    expect(after.providerCopySeconds).toBe(30 * MINUTE);
    expect(speed).toEqual({ from: 'cn-north-4', to: 'cn-east-3', sizeGiB: 100, seconds: 30 * MINUTE });
    expect(recordedCopySpeed(after)?.seconds).toBe(30 * MINUTE);
  });

  it('is not believed when it is longer than from our start to the look, beyond the leeway', () => {
    // Prepare: the provider claims 2 h for a copy we started 90 minutes before seeing it done
    const before = copying();
    const { after, seenAt } = seenDone(before, 90 * MINUTE, 120 * MINUTE);

    // Act
    const speed = finishedCopySpeed(before, after, seenAt);

    // Assess: timed by the look instead
    expect(after.providerCopySeconds).toBeUndefined();
    expect(speed?.seconds).toBe(90 * MINUTE);
    expect(recordedCopySpeed(after)?.seconds).toBe(90 * MINUTE);
  });

  it('is not believed when it is shorter than to the last look that saw the copy still running', () => {
    // Prepare: 40 % at 40 minutes, done at the next look; the provider says it took 31 s
    const started = copying();
    const before = advance(started, { type: 'copy.observed', state: 'running', progressPercent: 40 }, addSeconds(START, 40 * MINUTE));
    const { after, seenAt } = seenDone(before, 100 * MINUTE, 31);

    // Act
    const speed = finishedCopySpeed(before, after, seenAt);

    // Assess: timed by the end its last percent predicted (about 100 minutes), not by 31 s
    expect(after.providerCopySeconds).toBeUndefined();
    expect(speed?.seconds).toBeGreaterThan(90 * MINUTE);
    expect(speed?.seconds).toBeLessThanOrEqual(100 * MINUTE);
  });

  it('is not believed when no copy could be that fast, whenever it was first looked at', () => {
    // Prepare: 100 GiB in ten seconds, first seen done at 30 minutes
    const before = copying();

    // Act
    const { after, seenAt } = seenDone(before, 30 * MINUTE, 10);

    // Assess
    expect(after.providerCopySeconds).toBeUndefined();
    expect(finishedCopySpeed(before, after, seenAt)?.seconds).toBe(30 * MINUTE);
  });

  it('is forgotten when the job goes round again', () => {
    // Prepare: a copy timed by the provider, then its share refused: the job fails
    const before = copying();
    const { after } = seenDone({ ...before, shareWith: ['1234567890123456'] }, 90 * MINUTE, 30 * MINUTE);
    const failed = advance(after, { type: 'share.refused', error: { code: 'ShareRefused', message: 'no' } }, addSeconds(START, 91 * MINUTE));

    // Act
    const reopened = advance({ ...failed, notification: { status: 'none' } } as Job, { type: 'reopened' }, addSeconds(START, 30 * 24 * 60 * MINUTE));

    // Assess
    expect(after.providerCopySeconds).toBe(30 * MINUTE);
    expect(reopened.providerCopySeconds).toBeUndefined();
  });

  it('is believed within the leeway: the provider starts its clock a moment before we record the start', () => {
    // Prepare
    const before = copying();
    const { after, seenAt } = seenDone(before, 30 * MINUTE, 30 * MINUTE + PROVIDER_CLOCK_LEEWAY_SECONDS);

    // Act
    const speed = finishedCopySpeed(before, after, seenAt);

    // Assess
    expect(speed?.seconds).toBe(30 * MINUTE + PROVIDER_CLOCK_LEEWAY_SECONDS);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['not a number', Number.NaN],
    ['endless', Number.POSITIVE_INFINITY],
  ])('keeps no figure that cannot be a duration (%s): the look times the copy', (_name, copySeconds) => {
    // Prepare
    const before = copying();

    // Act
    const { after, seenAt } = seenDone(before, 45 * MINUTE, copySeconds);

    // Assess
    expect(after.providerCopySeconds).toBeUndefined();
    expect(finishedCopySpeed(before, after, seenAt)?.seconds).toBe(45 * MINUTE);
  });

  it('times a copy the provider gives no figure for by the look, as before', () => {
    // Prepare
    const before = copying();
    const { after, seenAt } = seenDone(before, 45 * MINUTE);

    // Act
    const speed = finishedCopySpeed(before, after, seenAt);

    // Assess
    expect(speed?.seconds).toBe(45 * MINUTE);
  });
});

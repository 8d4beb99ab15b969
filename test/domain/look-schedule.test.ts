import { describe, expect, it } from 'vitest';
import { ImageState } from '../../shared/core/domain/image';
import { type Job, JobStatus, type JobSpec } from '../../shared/core/domain/job';
import { FIRST_LOOK_SECONDS, firstLookAt, isDue, isDueInRegion, LookKind, nextLookAt, PREDICTED_FIRST_LOOK_MAX_SECONDS, SLOW_LOOK_SECONDS, UNPREDICTED_WAIT_SECONDS, windowEnd } from '../../shared/core/domain/look-schedule';
import { advance } from '../../shared/core/domain/job-transitions';
import { newJob } from '../../shared/core/domain/job-transitions';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

const spec: JobSpec = {
  policy: 'golden',
  provider: 'alibaba',
  account: 'default',
  source: { region: 'cn-hangzhou', imageId: 'm-src', imageName: 'golden-1' },
  destination: { region: 'cn-shanghai', imageName: 'golden-1', tags: {} },
  copyTimeoutSeconds: 3600,
  maxAttempts: 2,
  webhooks: [],
};

/** A copy started ten minutes ago, last written `writtenSecondsAgo` ago, predicted to end at `doneIn` seconds from now. */
const copying = (doneIn: number | undefined, writtenSecondsAgo = 0, status: JobStatus = JobStatus.Copying): Job => ({
  ...newJob('rj-1', spec, ImageState.Available, NOW),
  status,
  copyStartedAt: at(-600).toISOString(),
  updatedAt: at(-writtenSecondsAgo).toISOString(),
  expectedDoneAt: doneIn === undefined ? undefined : at(doneIn).toISOString(),
});

describe('when poll-status looks at a copy', () => {
  it.each([
    { name: 'predicted to be done now', job: copying(0), kind: LookKind.Look, due: true },
    { name: 'predicted within the second', job: copying(1), kind: LookKind.Look, due: true },
    { name: 'predicted in a minute, on a look', job: copying(60), kind: LookKind.Look, due: false },
    { name: 'predicted in a minute, on a tick, freshly looked at', job: copying(60, 30), kind: LookKind.Tick, due: false },
    { name: 'predicted in an hour, not looked at for the slow interval', job: copying(3600, SLOW_LOOK_SECONDS), kind: LookKind.Tick, due: true },
    { name: 'not predicted yet, on a tick', job: copying(undefined), kind: LookKind.Tick, due: true },
    { name: 'not predicted yet, on a look', job: copying(undefined), kind: LookKind.Look, due: false },
    { name: 'just started, not predicted yet, on a tick', job: { ...copying(undefined), copyStartedAt: at(-60).toISOString() }, kind: LookKind.Tick, due: false },
    { name: 'at its timeout, on a look', job: { ...copying(3600), copyTimeoutSeconds: 600 }, kind: LookKind.Look, due: true },
    { name: 'stopping, on a tick', job: copying(3600, 0, JobStatus.Stopping), kind: LookKind.Tick, due: true },
  ])('$name → due: $due', ({ job, kind, due }) => {
    // Act
    const answer = isDue(job, NOW, kind);
    // Assess
    expect(answer).toBe(due);
  });

  it('schedules the next look at the earliest predicted end before the window closes', () => {
    // Prepare
    const jobs = [copying(40), copying(25), copying(90), { ...copying(10), status: JobStatus.Available }];
    // Act
    const next = nextLookAt(jobs, NOW, at(60));
    // Assess
    expect(next).toEqual(at(25));
  });

  it('schedules nothing past the window: the next tick takes it', () => {
    // Act
    const next = nextLookAt([copying(75)], NOW, at(60));
    // Assess
    expect(next).toBeUndefined();
  });

  it('looks at a copy that times out inside the window when its timeout comes', () => {
    // Act
    const next = nextLookAt([{ ...copying(3600), copyTimeoutSeconds: 630 }], NOW, at(60));
    // Assess
    expect(next).toEqual(at(30));
  });

  it('never schedules a look closer than two seconds away', () => {
    // Act
    const next = nextLookAt([copying(0.2)], NOW, at(60));
    // Assess
    expect(next).toEqual(at(2));
  });

  it('caps a window a message asks for at one timer interval', () => {
    // Act
    const forged = windowEnd(NOW, at(86_400));
    const honest = windowEnd(NOW, at(20));
    // Assess
    expect(forged).toEqual(at(60));
    expect(honest).toEqual(at(20));
  });

  it('lets a copy not yet predicted wait for the look its region gets soon for a neighbour', () => {
    // Prepare
    const fresh = { ...copying(undefined), id: 'rj-fresh', copyStartedAt: at(-180).toISOString() };
    const neighbourSoon = { ...copying(120), id: 'rj-soon' };
    const neighbourLate = { ...copying(3600), id: 'rj-late' };
    const old = { ...fresh, copyStartedAt: at(-UNPREDICTED_WAIT_SECONDS).toISOString() };
    // Act
    const waits = isDueInRegion(fresh, [fresh, neighbourSoon], NOW, LookKind.Tick);
    const alone = isDueInRegion(fresh, [fresh, neighbourLate], NOW, LookKind.Tick);
    const waitedEnough = isDueInRegion(old, [old, neighbourSoon], NOW, LookKind.Tick);
    // Assess
    expect(waits).toBe(false);
    expect(alone).toBe(true);
    expect(waitedEnough).toBe(true);
  });
});

describe('a copy\'s predicted end', () => {
  const started = (seconds: number): Job => ({ ...copying(undefined), copyStartedAt: at(-seconds).toISOString() });

  it('is the middle of what its whole percent allows, once the percent says enough', () => {
    // Act: 95 % after 950 s: the end lies between 990.5 s and 1000 s after the start; 994.8 s is the middle
    const job = advance(started(950), { type: 'copy.observed', state: 'running', progressPercent: 95 }, NOW);
    // Assess: to the second
    expect(job.expectedDoneAt).toBe(at(45).toISOString());
  });

  it('is looked at again before the earliest instant it could end while the percent is small', () => {
    // Act: 5 % after 60 s: the end lies between 1000 s and 1200 s after the start
    const job = advance(started(60), { type: 'copy.observed', state: 'running', progressPercent: 5 }, NOW);
    // Assess
    expect(job.expectedDoneAt).toBe(at(-60 + 1000).toISOString());
  });

  it('is the middle, not a look now, for a long copy at 99 %', () => {
    // Act: 99 % after 4 h: the end lies between now and 145 s from now
    const job = advance(started(14_400), { type: 'copy.observed', state: 'running', progressPercent: 99 }, NOW);
    // Assess: 14,400 × 100 / 99.5 = 14,472.4 s after the start
    expect(job.expectedDoneAt).toBe(at(72).toISOString());
  });

  it('looks again a little later when the percent predicts nothing', () => {
    // Act
    const waiting = advance(started(600), { type: 'copy.observed', state: 'running', progressPercent: 0 }, NOW);
    // Assess
    expect(waiting.expectedDoneAt).toBe(at(120).toISOString());
  });
});

describe('a copy\'s first look', () => {
  const accepted = (expectedSeconds: number | undefined, adopted?: boolean): Job => {
    const claimed = advance(newJob('rj-1', spec, ImageState.Available, NOW), { type: 'dispatch.claimed' }, NOW);
    return advance(claimed, { type: 'copy.accepted', handle: 'm-c1', destinationImageId: 'm-c1', expectedSeconds, adopted }, NOW);
  };

  it.each([
    { name: 'halfway through what copies over its link took', expectedSeconds: 1_000, firstLook: at(500) },
    { name: 'never sooner than the usual first look', expectedSeconds: 100, firstLook: at(FIRST_LOOK_SECONDS) },
    { name: 'never later than ten minutes, however slow the link was', expectedSeconds: 10 * 3_600, firstLook: at(PREDICTED_FIRST_LOOK_MAX_SECONDS) },
    { name: 'the usual one when the link was never observed', expectedSeconds: undefined, firstLook: undefined },
    { name: 'the usual one for a time that is not a number', expectedSeconds: Number.NaN, firstLook: undefined },
    { name: 'the usual one for a time below zero', expectedSeconds: -5, firstLook: undefined },
  ])('is $name', ({ expectedSeconds, firstLook }) => {
    // Act
    const at = firstLookAt(NOW, expectedSeconds);
    // Assess
    expect(at).toEqual(firstLook);
  });

  it('is aimed when the copy is accepted, and a copy aimed so is not looked at two minutes in', () => {
    // Act
    const job = accepted(1_000);
    // Assess
    expect(job.expectedDoneAt).toBe(at(500).toISOString());
    expect(isDue(job, at(FIRST_LOOK_SECONDS), LookKind.Tick)).toBe(false);
    expect(isDue(job, at(500), LookKind.Look)).toBe(true);
  });

  it('is the usual one for a copy found again, whose start is not known', () => {
    // Act
    const job = accepted(3_000, true);
    // Assess
    expect(job.expectedDoneAt).toBeUndefined();
    expect(isDue(job, at(FIRST_LOOK_SECONDS), LookKind.Tick)).toBe(true);
  });
});

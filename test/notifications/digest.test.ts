import { describe, expect, it } from 'vitest';
import { buildDigest, digestWindow } from '../../shared/core/notifications/digest';
import { finishedJob } from './finished-jobs';

const WINDOW = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') };
const hour = (h: number) => new Date(WINDOW.from.getTime() + h * 3_600_000).toISOString();

describe('digest', () => {
  it('counts copies made, failed, timed out, cancelled and pruned inside the window only', () => {
    // Prepare
    const jobs = [
      finishedJob({ outcome: 'available', id: 'a1', createdAt: hour(1), sizeGiB: 20 }),
      finishedJob({ outcome: 'available', id: 'a2', createdAt: hour(2), sizeGiB: 40, destinationRegion: 'cn-beijing' }),
      finishedJob({ outcome: 'available', id: 'a3', createdAt: hour(3), sizeGiB: 20 }),
      finishedJob({ outcome: 'failed', id: 'f1', createdAt: hour(4), error: { code: 'QuotaExceeded', message: 'no quota' } }),
      finishedJob({ outcome: 'timed_out', id: 't1', createdAt: hour(5) }),
      finishedJob({ outcome: 'cancelled', id: 'c1', createdAt: hour(6) }),
      // Outside: before the window, after it, and another policy.
      finishedJob({ outcome: 'available', id: 'early', createdAt: hour(-2) }),
      finishedJob({ outcome: 'failed', id: 'late', createdAt: hour(24) }),
      finishedJob({ outcome: 'available', id: 'other', createdAt: hour(7), policy: 'other' }),
    ];
    // Pruned copies are jobs too: deleted inside the window (two), or after it.
    const pruned = [
      finishedJob({ outcome: 'pruned', id: 'p1', createdAt: hour(-48), keptSeconds: 56 * 3600, sizeGiB: 20 }),
      finishedJob({ outcome: 'pruned', id: 'p2', createdAt: hour(-48), keptSeconds: 57 * 3600, sizeGiB: 5.5, destinationRegion: 'cn-beijing' }),
      finishedJob({ outcome: 'pruned', id: 'p3', createdAt: hour(-48), keptSeconds: 78 * 3600, sizeGiB: 99, destinationRegion: 'cn-beijing' }),
    ];

    // Act
    const digest = buildDigest({ policy: 'golden', webhook: 'ops', window: WINDOW, jobs: [...jobs, ...pruned] });

    // Assess
    expect(digest).toMatchObject({
      copiesMade: 3,
      failed: 1,
      timedOut: 1,
      cancelled: 1,
      pruned: 2,
      freedGiB: 25.5,
      prunedLeavingParts: 0,
      window: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
    });
    expect(digest.failures.map((f) => [f.outcome, f.errorCode])).toEqual([
      ['timed_out', 'CopyTimedOut'],
      ['failed', 'QuotaExceeded'],
    ]);
  });

  it('does not count as freed a pruned copy the provider kept a part of, and counts it apart', () => {
    // Prepare
    const kept = [{ id: 's-bp1disk0001', why: 'SnapshotCreatedDisk: The snapshot has been used to create disks.' }];
    const jobs = [
      finishedJob({ outcome: 'pruned', id: 'p1', createdAt: hour(-24), keptSeconds: 26 * 3600, sizeGiB: 20 }),
      finishedJob({ outcome: 'pruned', id: 'p2', createdAt: hour(-24), keptSeconds: 27 * 3600, sizeGiB: 40, leftBehind: kept }),
    ];

    // Act
    const digest = buildDigest({ policy: 'golden', webhook: 'ops', window: WINDOW, jobs });

    // Assess
    expect(digest).toMatchObject({ pruned: 2, freedGiB: 20, prunedLeavingParts: 1 });
  });

  it('sums the storage each region gained, largest first, and says when sizes were unknown', () => {
    // Prepare
    const jobs = [
      finishedJob({ outcome: 'available', id: 'a1', createdAt: hour(1), sizeGiB: 20 }),
      finishedJob({ outcome: 'available', id: 'a2', createdAt: hour(1), sizeGiB: 20.25 }),
      finishedJob({ outcome: 'available', id: 'a3', createdAt: hour(1), sizeGiB: 100, destinationRegion: 'ap-southeast-1' }),
      finishedJob({ outcome: 'available', id: 'a4', createdAt: hour(1), destinationRegion: 'cn-beijing' }),
    ];

    // Act
    const digest = buildDigest({ policy: 'golden', webhook: 'ops', window: WINDOW, jobs });

    // Assess
    expect(digest.storage).toEqual([
      { region: 'ap-southeast-1', copies: 1, addedGiB: 100, unknownSize: 0 },
      { region: 'cn-shanghai', copies: 2, addedGiB: 40.3, unknownSize: 0 },
      { region: 'cn-beijing', copies: 1, addedGiB: 0, unknownSize: 1 },
    ]);
  });

  it('lists the five slowest copies, slowest first', () => {
    // Prepare
    const jobs = [300, 7200, 60, 5400, 900, 3600, 120].map((copySeconds, i) =>
      finishedJob({ outcome: 'available', id: `a${i}`, imageName: `img-${copySeconds}`, createdAt: hour(1), copySeconds }),
    );

    // Act
    const digest = buildDigest({ policy: 'golden', webhook: 'ops', window: WINDOW, jobs });

    // Assess
    expect(digest.slowest.map((s) => [s.imageName, s.durationSeconds])).toEqual([
      ['img-7200', 7200],
      ['img-5400', 5400],
      ['img-3600', 3600],
      ['img-900', 900],
      ['img-300', 300],
    ]);
  });

  it('counts a job finishing exactly at a window boundary in one window only', () => {
    // Prepare: finishes at 00:00 of the 2nd (created 23:57, 60 s queued, 120 s copying).
    const job = finishedJob({ outcome: 'available', createdAt: '2026-03-01T23:57:00Z' });
    const next = { from: WINDOW.to, to: new Date('2026-03-03T00:00:00Z') };

    // Act
    const counts = [WINDOW, next].map((window) => buildDigest({ policy: 'golden', webhook: 'ops', window, jobs: [job] }).copiesMade);

    // Assess
    expect(counts).toEqual([0, 1]);
  });

  it('links the policy on the configured status page', () => {
    // Prepare
    // Act
    const digest = buildDigest({ policy: 'golden', webhook: 'ops', window: WINDOW, jobs: [], statusPageBaseUrl: 'https://status.example.com' });

    // Assess
    expect(digest.statusPageUrl).toBe('https://status.example.com?policy=golden');
  });
});

describe('digest window', () => {
  const NOW = new Date('2026-03-10T02:00:00Z');

  it('runs since the last nightly run', () => {
    // Prepare
    const lastRun = new Date('2026-03-09T02:00:05Z');

    // Act
    const window = digestWindow(NOW, lastRun);

    // Assess
    expect(window).toEqual({ from: lastRun, to: NOW });
  });

  it('covers the last day without a previous run, or when the previous run is in the future', () => {
    // Prepare
    const dayBefore = new Date('2026-03-09T02:00:00Z');

    // Act
    const windows = [digestWindow(NOW), digestWindow(NOW, new Date('2026-03-11T00:00:00Z'))];

    // Assess
    expect(windows).toEqual([
      { from: dayBefore, to: NOW },
      { from: dayBefore, to: NOW },
    ]);
  });

  it('reaches back at most a week after a long outage', () => {
    // Prepare
    const lastRun = new Date('2026-01-01T00:00:00Z');

    // Act
    const window = digestWindow(NOW, lastRun);

    // Assess
    expect(window.from).toEqual(new Date('2026-03-03T02:00:00Z'));
  });
});

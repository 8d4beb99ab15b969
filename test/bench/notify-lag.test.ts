import { describe, expect, it } from 'vitest';
import { notificationLagsSeconds } from '../../bench/notify-lag';

describe('notificationLagsSeconds', () => {
  it('measures from the copy finishing to its first receipt, per copy', () => {
    // Prepare
    const copies = [
      { destinationImageId: 'm-a', finishedAtMs: 10_000 },
      { destinationImageId: 'm-b', finishedAtMs: 20_000 },
    ];
    const receipts = [
      { destinationImageId: 'm-b', atMs: 50_000 },
      { destinationImageId: 'm-a', atMs: 12_500 },
      { destinationImageId: 'm-b', atMs: 25_000 },
      { destinationImageId: null, atMs: 1 },
    ];
    // Act
    const lags = notificationLagsSeconds(copies, receipts);
    // Assess
    expect(lags).toEqual([2.5, 5]);
  });

  it('fails for a copy nobody was told about, and for a receipt before the copy finished', () => {
    // Prepare
    const copies = [{ destinationImageId: 'm-a', finishedAtMs: 10_000 }];
    // Act
    const untold = () => notificationLagsSeconds(copies, []);
    const early = () => notificationLagsSeconds(copies, [{ destinationImageId: 'm-a', atMs: 9_000 }]);
    // Assess
    expect(untold).toThrow(/no webhook receipt/);
    expect(early).toThrow(/before it finished/);
  });
});

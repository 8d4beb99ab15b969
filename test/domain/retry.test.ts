import { describe, expect, it } from 'vitest';
import { RetryableError, TerminalError } from '../../shared/core/domain/errors';
import { backoffDelayMs, withRetry } from '../../shared/core/domain/retry';

describe('withRetry', () => {
  const recordingPause = () => {
    const waits: number[] = [];
    return { waits, pause: async (ms: number) => void waits.push(ms) };
  };

  it('retries a retryable failure with doubling waits, up to the attempts given', async () => {
    // Prepare
    const { waits, pause } = recordingPause();
    let calls = 0;
    // Act
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new RetryableError('Busy', 'try again');
        return 'done';
      },
      { attempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, pause },
    );
    // Assess
    expect(result).toBe('done');
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after the last attempt with the last error', async () => {
    // Prepare
    const { waits, pause } = recordingPause();
    // Act
    const run = withRetry(async (attempt) => Promise.reject(new RetryableError('Busy', `attempt ${attempt}`)), { attempts: 3, baseDelayMs: 10, maxDelayMs: 15, pause });
    // Assess
    await expect(run).rejects.toThrow('attempt 3');
    expect(waits).toEqual([10, 15]);
  });

  it('does not retry what cannot get better', async () => {
    // Prepare
    const { waits, pause } = recordingPause();
    let calls = 0;
    // Act
    const run = withRetry(async () => {
      calls += 1;
      throw new TerminalError('Forbidden', 'no');
    }, { attempts: 5, baseDelayMs: 10, maxDelayMs: 100, pause });
    // Assess
    await expect(run).rejects.toThrow('no');
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('spreads waits with equal jitter: at least half the ceiling, never more', () => {
    // Act
    const low = backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'equal', random: () => 0 });
    const high = backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'equal', random: () => 1 });
    // Assess
    expect([low, high]).toEqual([200, 400]);
  });
});

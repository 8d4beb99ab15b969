import { describe, expect, it } from 'vitest';
import { runScenario } from './scenario';
import { copyTimeout, crashAfterTimeoutCancel, lostCopyAnswer, permanentFailure, retryAfterFailedCopy, throttling } from './scenarios';

/** Each scenario's `verify` carries its own claim (a cancel was sent, the cleanup came first, ...). */
describe('chaos: timeouts, retries, throttling and lost answers', () => {
  it('cancels a copy over its timeout, records it timed out, leaves nothing behind and notifies it', async () => {
    // Prepare
    const spec = copyTimeout(11);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.ecsRequests.CancelCopyImage).toBe(1);
  });

  it('deletes a failed copy and tries again after the back-off with a new token', async () => {
    // Prepare
    const spec = retryAfterFailedCopy(12);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.faults.copyFailure).toBe(1);
  });

  it('fails a job whose every attempt fails, with no copy left and one failure notification', async () => {
    // Prepare
    const spec = permanentFailure(13);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.copies).toBe(0);
    expect(outcome.notificationsExactlyOnce).toBe(6);
  });

  it('slows dispatch down under throttling instead of failing jobs', async () => {
    // Prepare
    const spec = throttling(14);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.expectedCopies).toBe(6);
  });

  it.each(['lostAnswer', 'noAnswer'] as const)('recovers a CopyImage whose answer never arrives (%s) by its ClientToken, never copying twice', async (kind) => {
    // Prepare
    const spec = lostCopyAnswer(15, kind);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.duplicateCopies).toBe(0);
    expect(outcome.copies).toBe(3);
  });

  it('still records a timeout when poll-status dies between CancelCopyImage and the table write', async () => {
    // Prepare
    const spec = crashAfterTimeoutCancel(16);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.crashedAt?.label).toBe('alibaba.cancelCopy · after');
    expect(outcome.violations).toEqual([]);
  });
});

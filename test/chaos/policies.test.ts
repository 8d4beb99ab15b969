import { describe, expect, it } from 'vitest';
import { ProviderId } from '../../shared/core/domain/provider';
import { triage } from './known-issues';
import { runScenario } from './run-scenario';
import { copyServerError, copyTimeout, lostCopyAnswer, permanentFailure, retryAfterFailedCopy, strangerWithOurName, throttling } from './scenarios';

const CLOUDS = [ProviderId.Alibaba, ProviderId.Huawei] as const;

/** Each scenario's `verify` carries its own claim (a cancel was sent, the cleanup came first, ...). */
describe.each(CLOUDS)('chaos on %s: timeouts, retries, throttling and lost answers', (provider) => {
  it('stops a copy over its timeout where it can, records it timed out and notifies it', async () => {
    // Prepare
    const spec = copyTimeout(provider, 11);

    // Act
    const outcome = await runScenario(spec);

    // Assess: on IMS, which cannot stop a copy, the finished copy is left behind (a known product issue)
    expect(triage(outcome).open).toEqual([]);
    expect(outcome.requests.CancelCopyImage ?? 0).toBe(provider === ProviderId.Alibaba ? 1 : 0);
  });

  it('deletes a failed copy and tries again after the back-off', async () => {
    // Prepare
    const spec = retryAfterFailedCopy(provider, 12);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.faults.copyFailure).toBe(1);
    expect(outcome.copiesMade).toBe(4);
  });

  it('fails a job whose every attempt fails, with no copy left and one failure notification', async () => {
    // Prepare
    const spec = permanentFailure(provider, 13);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.faults.copyFailure).toBe(6);
    expect(outcome.notificationsExactlyOnce).toBe(6);
  });

  it('slows dispatch down under throttling instead of failing jobs', async () => {
    // Prepare
    const spec = throttling(provider, 14);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.copiesMade).toBe(6);
  });

  it.each(['lostAnswer', 'noAnswer'] as const)('finds a copy whose start answer never arrives (%s) again, never copying twice', async (kind) => {
    // Prepare
    const spec = lostCopyAnswer(provider, 15, kind);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.copiesMade).toBe(3);
  });

  it('takes a 5xx answer to the copy call as an unknown outcome, never as a failure', async () => {
    // Prepare
    const spec = copyServerError(provider, 16);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.wrongOutcomes).toBe(0);
  });

  it("never adopts, tags or deletes somebody else's image that has the copy's name", async () => {
    // Prepare
    const spec = strangerWithOurName(provider, 17);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(triage(outcome).open).toEqual([]);
    expect(outcome.copiesMade).toBe(provider === ProviderId.Alibaba ? 2 : 3);
  });
});

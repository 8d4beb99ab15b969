import type { Job } from '../../shared/core/domain/job';

interface Sample {
  readonly attemptKey: string;
  readonly firstPercent: number;
  readonly firstAtMs: number;
  readonly lastPercent: number;
  readonly lastAtMs: number;
}

/**
 * Time left per copy, from the rate its progress has moved at so far, in wall time (what a person
 * waits), whatever clock the copies run on. A copy that starts again (a new attempt) starts a new
 * estimate; a copy that has not moved yet has none.
 */
export class EtaTracker {
  readonly #samples = new Map<string, Sample>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  observe(job: Job): void {
    const percent = job.progressPercent;
    if (percent === undefined) return;
    const key = `${job.round}:${job.attempt}:${job.copyHandle ?? ''}`;
    const now = this.nowMs();
    const sample = this.#samples.get(job.id);
    if (sample === undefined || sample.attemptKey !== key || percent < sample.lastPercent) {
      this.#samples.set(job.id, { attemptKey: key, firstPercent: percent, firstAtMs: now, lastPercent: percent, lastAtMs: now });
      return;
    }
    if (percent > sample.lastPercent) this.#samples.set(job.id, { ...sample, lastPercent: percent, lastAtMs: now });
  }

  /** Seconds left, or undefined while the rate is unknown. */
  secondsLeft(job: Job): number | undefined {
    const sample = this.#samples.get(job.id);
    if (sample === undefined || sample.lastPercent <= sample.firstPercent) return undefined;
    const rate = (sample.lastPercent - sample.firstPercent) / ((sample.lastAtMs - sample.firstAtMs) / 1000);
    if (!(rate > 0) || !Number.isFinite(rate)) return undefined;
    // Counted from the last time it moved, as the last sample is the freshest fact.
    const left = (100 - sample.lastPercent) / rate - (this.nowMs() - sample.lastAtMs) / 1000;
    return Math.max(0, left);
  }
}

/** `ETA 1m05s`, `ETA 8s`, `ETA 2h03m`. */
export const formatEta = (seconds: number | undefined): string => {
  if (seconds === undefined) return 'ETA --';
  const s = Math.round(seconds);
  if (s < 60) return `ETA ${s}s`;
  if (s < 3600) return `ETA ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `ETA ${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

import { type Job, isInFlight } from '../../core/domain/job';

/** Enough for every job of a large poll pass; past it the oldest sightings go (a marker write too many, never too few). */
const MAX_SIGHTINGS = 100_000;

/**
 * The jobs this store instance has seen stored in flight, by id, version and creation time. A
 * write from a version seen in flight to one still in flight enters nothing: the marker put when
 * the job entered flight is still there (only a delete conditioned on a later out-of-flight
 * version could remove it, and the version condition of the write would then fail). So such a
 * write needs no marker write. Creation time tells a job from one recreated under the same id.
 */
export class InFlightSightings {
  readonly #seen = new Map<string, { readonly version: number; readonly createdAt: string }>();

  saw(job: Job): void {
    this.#seen.delete(job.id);
    if (!isInFlight(job)) return;
    this.#seen.set(job.id, { version: job.version, createdAt: job.createdAt });
    if (this.#seen.size > MAX_SIGHTINGS) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
  }

  /** Whether `next`'s previous version was seen stored, in flight. */
  wasInFlight(next: Job): boolean {
    const seen = this.#seen.get(next.id);
    return seen !== undefined && seen.version === next.version - 1 && seen.createdAt === next.createdAt;
  }

  forget(id: string): void {
    this.#seen.delete(id);
  }
}

import { TerminalError, VersionConflictError } from '../../shared/core/domain/errors';
import { type Job, isInFlight } from '../../shared/core/domain/job';
import { CORRUPT_JOB_CODE, type JobListFilter, type JobStore, type JobUpdateOutcome, type SetAsideJob, duplicateIds } from '../../shared/core/ports/job-store';

/** The job store port in memory, with the same conditional-write semantics as the real ones. */
export class InMemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, Job>();
  readonly #aside: SetAsideJob[] = [];
  readonly #corrupt = new Set<string>();

  /** Makes a stored job unreadable, as a damaged row is. */
  async corrupt(id: string): Promise<void> {
    await Promise.resolve();
    this.#corrupt.add(id);
  }

  #check(id: string): void {
    if (this.#corrupt.has(id)) throw new TerminalError(CORRUPT_JOB_CODE, `stored job ${id} is corrupt: (body): damaged by a test`, { details: { jobId: id } });
  }

  async setAside(id: string, reason: string): Promise<void> {
    await Promise.resolve();
    const job = this.#jobs.get(id);
    if (job === undefined) return;
    this.#corrupt.delete(id);
    this.#aside.push({ id, reason, at: new Date(0).toISOString(), body: JSON.stringify(job) });
    this.#jobs.delete(id);
  }

  async listSetAside(): Promise<SetAsideJob[]> {
    await Promise.resolve();
    return [...this.#aside];
  }

  async putIfAbsent(job: Job): Promise<{ created: boolean; job: Job }> {
    await Promise.resolve();
    const existing = this.#jobs.get(job.id);
    if (existing) {
      this.#check(job.id);
      return { created: false, job: structuredClone(existing) };
    }
    this.#jobs.set(job.id, structuredClone(job));
    return { created: true, job: structuredClone(job) };
  }

  async get(id: string): Promise<Job | undefined> {
    await Promise.resolve();
    this.#check(id);
    const job = this.#jobs.get(id);
    return job && structuredClone(job);
  }

  async update(next: Job): Promise<Job> {
    await Promise.resolve();
    const stored = this.#jobs.get(next.id);
    if (!stored || stored.version !== next.version - 1) throw new VersionConflictError(next.id, next.version - 1);
    this.#jobs.set(next.id, structuredClone(next));
    return structuredClone(next);
  }

  /** Each job on its own condition, as the real stores do; nothing else runs in between. */
  async updateMany(jobs: readonly Job[]): Promise<JobUpdateOutcome[]> {
    await Promise.resolve();
    const duplicates = duplicateIds(jobs);
    if (duplicates.length > 0) throw new TerminalError('InvalidArgument', `updateMany got job ${duplicates[0]} more than once`);
    return jobs.map((next) => {
      const stored = this.#jobs.get(next.id);
      if (!stored || stored.version !== next.version - 1) return { id: next.id, status: 'conflict', error: new VersionConflictError(next.id, next.version - 1) };
      this.#jobs.set(next.id, structuredClone(next));
      return { id: next.id, status: 'stored', job: structuredClone(next) };
    });
  }

  async listInFlight(): Promise<Job[]> {
    return (await this.list()).filter(isInFlight);
  }

  async list(filter: JobListFilter = {}): Promise<Job[]> {
    await Promise.resolve();
    return [...this.#jobs.values()]
      .filter((job) => !this.#corrupt.has(job.id))
      .filter((job) => filter.policy === undefined || job.policy === filter.policy)
      .filter((job) => filter.statuses === undefined || filter.statuses.includes(job.status))
      .map((job) => structuredClone(job))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}

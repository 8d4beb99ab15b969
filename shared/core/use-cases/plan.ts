import { DEFAULT_GIB_PER_HOUR, rateOf, recordedCopySpeed } from '../domain/copy-speed';
import type { PolicyConfig } from '../config/policy-config';
import type { Clock } from '../domain/clock';
import { errorCode, errorMessage } from '../domain/errors';
import { ImageState } from '../domain/image';
import { COPY_EXISTS_STATUSES, type Job, JobStatus } from '../domain/job';
import { planJobs, type SourceScope, sourceScopes } from '../domain/policy';
import type { ProviderId } from '../domain/provider';
import type { CopyProviders, Replica } from '../ports/copy-provider';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { Queues } from '../ports/message-queue';
import { createPrune, PruneAction } from './prune';

/**
 * What the current policy would do now, without changing anything: per (image, destination)
 * whether a copy exists, would be made (and how), shared or deleted by retention; the GiB each
 * destination gains and loses; an estimated monthly storage cost per region from a price table;
 * and an expected duration from the copy speeds observed so far.
 */

export const PlanAction = { Exists: 'exists', InProgress: 'in-progress', Copy: 'copy', Skip: 'skip', Share: 'share', Prune: 'prune', Unreadable: 'unreadable' } as const;
export type PlanAction = (typeof PlanAction)[keyof typeof PlanAction];

export interface PlanItem {
  readonly policy: string;
  readonly provider: ProviderId;
  readonly account: string;
  readonly sourceRegion: string;
  readonly imageId: string;
  readonly imageName: string;
  readonly destinationRegion: string;
  readonly action: PlanAction;
  readonly route?: string | undefined;
  readonly reason?: string | undefined;
  readonly sizeGiB: number;
  readonly jobId?: string | undefined;
  /** For a copy: how long it is expected to take, in hours. */
  readonly expectedHours?: number | undefined;
}

export interface PlanRegion {
  readonly provider: ProviderId;
  readonly region: string;
  readonly gainGiB: number;
  readonly loseGiB: number;
  /** Change of the monthly storage bill, where a price is known. */
  readonly monthlyCostChange?: { readonly amount: number; readonly currency: string } | undefined;
  readonly priceSource: string;
}

export interface Plan {
  readonly items: readonly PlanItem[];
  readonly regions: readonly PlanRegion[];
  /** Hours until every copy of the plan is made, at the speeds observed (or the documented default). */
  readonly expectedHours: number;
  readonly speedSource: string;
  readonly changesPending: boolean;
}

/** List prices when the policy gives none: docs/costs.md says where each comes from and when it was read. */
export const DEFAULT_PRICES: Partial<Record<ProviderId, { currency: string; perGiBMonth: number; source: string }>> = {
  alibaba: { currency: 'USD', perGiBMonth: 0.0173, source: 'Alibaba Cloud snapshot billing example (China (Hangzhou), standard snapshots), a list-price upper bound' },
};

export { DEFAULT_GIB_PER_HOUR };

export interface PlanDeps {
  readonly config: PolicyConfig;
  readonly providers: CopyProviders;
  readonly jobs: JobStore;
  readonly queues: Queues;
  readonly clock: Clock;
  readonly logger: Logger;
}

const pairKey = (provider: string, from: string, to: string): string => `${provider}/${from}/${to}`;

/** GiB per hour per (provider, source region, destination region), from the copies that finished. */
const observedSpeeds = (jobs: readonly Job[]): Map<string, number> => {
  const samples = new Map<string, { gib: number; hours: number }>();
  for (const job of jobs) {
    if (!COPY_EXISTS_STATUSES.includes(job.status) && job.status !== JobStatus.Pruned) continue;
    const observed = recordedCopySpeed(job);
    // Only a figure a copy could make: a record bent by a clock (or a hostile answer) says nothing.
    if (observed === undefined || rateOf(observed) === undefined) continue;
    const key = pairKey(job.provider, observed.from, observed.to);
    const sample = samples.get(key) ?? { gib: 0, hours: 0 };
    samples.set(key, { gib: sample.gib + observed.sizeGiB, hours: sample.hours + observed.seconds / 3600 });
  }
  return new Map([...samples].map(([key, s]) => [key, s.gib / s.hours]));
};

export const createPlan = (deps: PlanDeps) => {
  const { config, providers, jobs, logger } = deps;
  const prune = createPrune({ ...deps });

  return async (): Promise<Plan> => {
    const stored = await jobs.list();
    const byId = new Map(stored.map((job) => [job.id, job]));
    const speeds = observedSpeeds(stored);
    const items: PlanItem[] = [];

    for (const scope of sourceScopes(config)) {
      const provider = providers.get(scope.provider, scope.account);
      const base = { provider: scope.provider, account: scope.account, sourceRegion: scope.region };
      let images;
      try {
        images = await provider.listImages(scope.region, { states: [ImageState.Available, ImageState.Pending], ownedBySelf: true });
      } catch (error) {
        items.push({ ...base, policy: '(all)', imageId: '', imageName: '', destinationRegion: '', action: PlanAction.Unreadable, reason: `${errorCode(error)}: ${errorMessage(error)}`, sizeGiB: 0 });
        continue;
      }
      const replicas = await replicasByJob(scope, images.length > 0);
      // By name, not in the provider's order (newest first, ties in any order): a plan read twice reads the same.
      for (const image of [...images].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))) {
        for (const { id, spec } of planJobs(config, scope, image)) {
          const job = byId.get(id);
          const item = { ...base, policy: spec.policy, imageId: image.id, imageName: image.name, destinationRegion: spec.destination.region, sizeGiB: image.sizeGiB, jobId: id };
          if (spec.shareOnly === true) {
            const shared = job?.sharedWith ?? [];
            const missing = (spec.shareWith ?? []).filter((a) => !shared.includes(a));
            if (missing.length > 0) items.push({ ...item, action: PlanAction.Share, reason: `share the source with ${missing.length} account(s)`, sizeGiB: 0 });
            continue;
          }
          if (job !== undefined && COPY_EXISTS_STATUSES.includes(job.status)) {
            const missing = (spec.shareWith ?? []).filter((a) => !(job.sharedWith ?? []).includes(a));
            items.push(missing.length > 0 ? { ...item, action: PlanAction.Share, route: job.route, reason: `share with ${missing.length} account(s)`, sizeGiB: 0 } : { ...item, action: PlanAction.Exists, route: job.route });
            continue;
          }
          if (job !== undefined && !(job.status === JobStatus.Failed || job.status === JobStatus.TimedOut || job.status === JobStatus.Cancelled || job.status === JobStatus.Pruned)) {
            items.push({ ...item, action: PlanAction.InProgress, route: job.route, reason: job.status });
            continue;
          }
          if (job?.status === JobStatus.Pruned || job?.status === JobStatus.Cancelled) {
            items.push({ ...item, action: PlanAction.Skip, reason: `the job ended ${job.status}` });
            continue;
          }
          if (replicas.get(spec.destination.region)?.has(id) === true) {
            items.push({ ...item, action: PlanAction.Exists, reason: 'a copy of this job exists and will be adopted' });
            continue;
          }
          const plan = provider.planCopy({ source: spec.source, destination: { ...spec.destination, name: spec.destination.imageName } });
          if (plan.kind === 'refused') {
            items.push({ ...item, action: PlanAction.Skip, reason: `${plan.code}: ${plan.message}` });
            continue;
          }
          const speed = speeds.get(pairKey(scope.provider, scope.region, spec.destination.region)) ?? DEFAULT_GIB_PER_HOUR;
          items.push({ ...item, action: PlanAction.Copy, route: plan.route, expectedHours: image.sizeGiB / speed });
        }
      }
    }

    const retention = await prune({ dryRun: true }).catch((error: unknown) => {
      logger.warn('retention could not be planned', { code: errorCode(error), error: errorMessage(error) });
      return undefined;
    });
    for (const decision of retention?.decisions ?? []) {
      if (decision.action === PruneAction.Keep) continue;
      const job = byId.get(decision.jobId);
      if (job === undefined) continue;
      items.push({
        policy: decision.policy,
        provider: job.provider,
        account: job.account,
        sourceRegion: job.source.region,
        imageId: job.source.imageId,
        imageName: decision.sourceName,
        destinationRegion: decision.region,
        action: PlanAction.Prune,
        reason: decision.action === PruneAction.Deprecate ? `deprecate: ${decision.reason}` : decision.reason,
        sizeGiB: decision.action === PruneAction.Delete ? decision.sizeGiB : 0,
        jobId: decision.jobId,
      });
    }

    return { items, regions: regionsOf(items), ...duration(items, speeds.size > 0), changesPending: items.some((i) => i.action === PlanAction.Copy || i.action === PlanAction.Share || i.action === PlanAction.Prune) };
  };

  async function replicasByJob(scope: SourceScope, needed: boolean): Promise<Map<string, Set<string>>> {
    const found = new Map<string, Set<string>>();
    if (!needed) return found;
    const provider = providers.get(scope.provider, scope.account);
    const regions = new Set(config.policies.filter((p) => p.provider === scope.provider && p.account === scope.account && p.source.region === scope.region).flatMap((p) => p.destinations.map((d) => d.region)));
    for (const region of regions) {
      const replicas: Replica[] = await provider.listReplicas(region).catch(() => []);
      found.set(region, new Set(replicas.map((r) => r.jobId).filter((id): id is string => id !== undefined)));
    }
    return found;
  }

  function regionsOf(items: readonly PlanItem[]): PlanRegion[] {
    const regions = new Map<string, { provider: ProviderId; region: string; gainGiB: number; loseGiB: number }>();
    for (const item of items) {
      if (item.action !== PlanAction.Copy && item.action !== PlanAction.Prune) continue;
      const key = `${item.provider}/${item.destinationRegion}`;
      const entry = regions.get(key) ?? { provider: item.provider, region: item.destinationRegion, gainGiB: 0, loseGiB: 0 };
      if (item.action === PlanAction.Copy) entry.gainGiB += item.sizeGiB;
      else entry.loseGiB += item.sizeGiB;
      regions.set(key, entry);
    }
    return [...regions.values()].map((entry) => {
      const configured = config.prices[entry.provider];
      const fallback = DEFAULT_PRICES[entry.provider];
      const price = configured === undefined ? fallback : { currency: configured.currency, perGiBMonth: configured.regions[entry.region] ?? configured.perGiBMonth, source: 'the policy file' };
      return {
        ...entry,
        monthlyCostChange: price === undefined ? undefined : { amount: Math.round((entry.gainGiB - entry.loseGiB) * price.perGiBMonth * 100) / 100, currency: price.currency },
        priceSource: price?.source ?? `no price known for ${entry.provider}: set prices.${entry.provider} in the policy file`,
      };
    });
  }

  function duration(items: readonly PlanItem[], observed: boolean): { expectedHours: number; speedSource: string } {
    const copies = items.filter((i) => i.action === PlanAction.Copy);
    // One copy of an image runs at a time (Alibaba), and a region runs a few at once: the plan
    // takes the longer of the two bounds, as the scheduler cannot beat either.
    const perImage = new Map<string, number>();
    const perSource = new Map<string, number>();
    for (const copy of copies) {
      perImage.set(copy.imageId, (perImage.get(copy.imageId) ?? 0) + (copy.expectedHours ?? 0));
      const key = `${copy.provider}/${copy.account}/${copy.sourceRegion}`;
      perSource.set(key, (perSource.get(key) ?? 0) + (copy.expectedHours ?? 0));
    }
    const limit = config.maxConcurrentCopiesPerRegion;
    const hours = Math.max(0, ...perImage.values(), ...[...perSource.values()].map((h) => h / limit));
    return { expectedHours: Math.round(hours * 100) / 100, speedSource: observed ? 'copy speeds observed in this table' : `a default of ${DEFAULT_GIB_PER_HOUR} GiB per hour (no copy observed yet)` };
  }
};

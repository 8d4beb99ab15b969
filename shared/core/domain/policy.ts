import type { Destination, Policy, PolicyConfig, Selection } from '../config/policy-config';
import type { CloudImage } from './image';
import { ReplicaTag } from './image';
import type { JobSpec } from './job';
import type { ProviderId } from './provider';
import { jobIdFor } from './job-id';
import { matchesNamePattern } from './name-pattern';
import { renderTemplate } from './name-template';

/** Every criterion the selection gives must hold. Our own copies are never sources. */
export const matchesSelection = (image: Pick<CloudImage, 'id' | 'name' | 'tags'>, selection: Selection): boolean => {
  if (image.tags[ReplicaTag.Managed] !== undefined) return false;
  if (selection.imageIds !== undefined && !selection.imageIds.includes(image.id)) return false;
  if (selection.tags !== undefined && !Object.entries(selection.tags).every(([k, v]) => image.tags[k] === v)) return false;
  if (selection.namePattern !== undefined && !matchesNamePattern(selection.namePattern, image.name)) return false;
  return true;
};

/** Where images are looked for: one provider account's region. */
export interface SourceScope {
  readonly provider: ProviderId;
  readonly account: string;
  readonly region: string;
}

export const scopeKey = (scope: Pick<SourceScope, 'provider' | 'account'>): string => `${scope.provider}/${scope.account}`;

export const inScope = (policy: Policy, scope: SourceScope): boolean =>
  policy.provider === scope.provider && policy.account === scope.account && policy.source.region === scope.region;

/** Every (provider, account, source region) some policy copies from. */
export const sourceScopes = (config: PolicyConfig): SourceScope[] => {
  const scopes = new Map<string, SourceScope>();
  for (const policy of config.policies) {
    const scope = { provider: policy.provider, account: policy.account, region: policy.source.region };
    scopes.set(`${scopeKey(scope)}/${scope.region}`, scope);
  }
  return [...scopes.values()];
};

export const policiesFor = (config: PolicyConfig, scope: SourceScope, image: CloudImage, only?: string): Policy[] =>
  config.policies.filter((policy) => inScope(policy, scope) && (only === undefined || policy.name === only) && matchesSelection(image, policy.source.select));


/** The tags every copy carries, so that a copy whose answer was lost can be found again. */
export const replicaTags = (sourceRegion: string, sourceImageId: string, jobId: string): Record<string, string> => ({
  [ReplicaTag.Managed]: 'true',
  [ReplicaTag.SourceImage]: sourceImageId,
  [ReplicaTag.SourceRegion]: sourceRegion,
  [ReplicaTag.Job]: jobId,
});

export interface PlannedJob {
  readonly id: string;
  readonly spec: JobSpec;
}

export const planJob = (policy: Policy, destination: Destination, source: CloudImage): PlannedJob => {
  const id = jobIdFor({
    provider: policy.provider,
    account: policy.account,
    sourceRegion: source.region,
    sourceImageId: source.id,
    destinationRegion: destination.region,
  });
  const values = {
    sourceName: source.name,
    sourceId: source.id,
    sourceRegion: source.region,
    destinationRegion: destination.region,
    policy: policy.name,
  };
  return {
    id,
    spec: {
      policy: policy.name,
      provider: policy.provider,
      account: policy.account,
      source: { region: source.region, imageId: source.id, imageName: source.name, sizeGiB: source.sizeGiB },
      destination: {
        region: destination.region,
        imageName: renderTemplate(destination.name, values),
        description: destination.description === undefined ? undefined : renderTemplate(destination.description, values),
        encrypted: destination.encryption?.enabled,
        kmsKeyId: destination.encryption?.kmsKeyId,
        tags: { ...destination.tags, ...replicaTags(source.region, source.id, id) },
        options: providerOptions(policy, destination),
      },
      copyTimeoutSeconds: policy.copyTimeout,
      maxAttempts: policy.maxAttempts,
      webhooks: policy.webhooks.map((hook) => hook.name),
    },
  };
};

/** What a provider needs beyond the neutral fields, taken from the policy's provider block. */
const providerOptions = (policy: Policy, destination: Destination): Record<string, string> | undefined =>
  policy.huawei === undefined ? undefined : { agencyName: policy.huawei.agencyName, projectName: destination.region };

/** Jobs for every destination of every policy of this scope that selects this image. */
export const planJobs = (config: PolicyConfig, scope: Pick<SourceScope, 'provider' | 'account'>, image: CloudImage, onlyPolicy?: string): PlannedJob[] =>
  policiesFor(config, { ...scope, region: image.region }, image, onlyPolicy).flatMap((policy) =>
    policy.destinations.map((destination) => planJob(policy, destination, image)),
  );

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

/** The source's own tags a destination copies: ours and the reserved prefixes never, excluded keys not. */
const copiedTagsOf = (source: CloudImage, copyTags: Destination['copyTags']): Record<string, string> | undefined => {
  if (copyTags === false) return undefined;
  const excluded = new Set(copyTags === true ? [] : copyTags.exclude);
  const copied = Object.entries(source.tags).filter(([key]) => !key.startsWith('image-replicator:') && !excluded.has(key));
  return copied.length === 0 ? undefined : Object.fromEntries(copied);
};

type DestinationLike = Pick<Destination, 'region' | 'name' | 'description' | 'encryption' | 'tags' | 'shareWith' | 'copyTags' | 'copyFamily'>;

export const planJob = (policy: Policy, destination: DestinationLike, source: CloudImage, shareOnly = false): PlannedJob => {
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
      source: {
        region: source.region,
        imageId: source.id,
        imageName: source.name,
        sizeGiB: source.sizeGiB,
        ...(source.family === undefined ? {} : { family: source.family }),
        ...(source.createdAt === undefined ? {} : { createdAt: source.createdAt }),
      },
      destination: {
        region: destination.region,
        imageName: renderTemplate(destination.name, values),
        description: destination.description === undefined ? undefined : renderTemplate(destination.description, values),
        encrypted: destination.encryption?.enabled,
        kmsKeyId: destination.encryption?.kmsKeyId,
        tags: { ...destination.tags, ...replicaTags(source.region, source.id, id) },
        copiedTags: copiedTagsOf(source, destination.copyTags),
        family: destination.copyFamily ? source.family : undefined,
        options: providerOptions(policy, destination),
      },
      copyTimeoutSeconds: policy.copyTimeout,
      maxAttempts: policy.maxAttempts,
      webhooks: policy.webhooks.map((hook) => hook.name),
      ...(destination.shareWith.length === 0 ? {} : { shareWith: [...destination.shareWith] }),
      ...(shareOnly ? { shareOnly: true } : {}),
      ...(policy.relay ? {} : { allowRelay: false }),
    },
  };
};

/** What a provider needs beyond the neutral fields, taken from the policy's provider block. */
const providerOptions = (policy: Policy, destination: Pick<Destination, 'region'>): Record<string, string> | undefined =>
  policy.huawei === undefined ? undefined : { agencyName: policy.huawei.agencyName, projectName: destination.region };

/** The "job" that shares the source image in its own region: no copy, the source itself. */
const sourceShare = (policy: Policy, source: CloudImage): PlannedJob =>
  planJob(
    policy,
    { region: source.region, name: '{sourceName}', description: undefined, encryption: undefined, tags: {}, shareWith: policy.shareInSourceRegion, copyTags: false, copyFamily: false },
    source,
    true,
  );

/** Jobs for every destination of every policy of this scope that selects this image, and its in-place shares. */
export const planJobs = (config: PolicyConfig, scope: Pick<SourceScope, 'provider' | 'account'>, image: CloudImage, onlyPolicy?: string): PlannedJob[] =>
  policiesFor(config, { ...scope, region: image.region }, image, onlyPolicy).flatMap((policy) => [
    ...policy.destinations.map((destination) => planJob(policy, destination, image)),
    ...(policy.shareInSourceRegion.length > 0 ? [sourceShare(policy, image)] : []),
  ]);

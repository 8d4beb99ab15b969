import type { Destination, Policy, PolicyConfig, Selection } from '../config/policy-config';
import type { CloudImage } from './image';
import { ReplicaTag } from './image';
import type { JobSpec } from './job';
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

export const policiesFor = (config: PolicyConfig, region: string, image: CloudImage, only?: string): Policy[] =>
  config.policies.filter(
    (policy) =>
      policy.source.region === region && (only === undefined || policy.name === only) && matchesSelection(image, policy.source.select),
  );


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
  const id = jobIdFor(source.region, source.id, destination.region);
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
      source: { region: source.region, imageId: source.id, imageName: source.name, sizeGiB: source.sizeGiB },
      destination: {
        region: destination.region,
        imageName: renderTemplate(destination.name, values),
        description: destination.description === undefined ? undefined : renderTemplate(destination.description, values),
        encrypted: destination.encryption?.enabled,
        kmsKeyId: destination.encryption?.kmsKeyId,
        tags: { ...destination.tags, ...replicaTags(source.region, source.id, id) },
      },
      copyTimeoutSeconds: policy.copyTimeout,
      maxAttempts: policy.maxAttempts,
      webhooks: policy.webhooks.map((hook) => hook.name),
    },
  };
};

/** Jobs for every destination of every policy that selects this image. */
export const planJobs = (config: PolicyConfig, image: CloudImage, onlyPolicy?: string): PlannedJob[] =>
  policiesFor(config, image.region, image, onlyPolicy).flatMap((policy) =>
    policy.destinations.map((destination) => planJob(policy, destination, image)),
  );

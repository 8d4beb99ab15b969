import type { PolicyIssue, ProviderRules } from '../../core/config/provider-rules';
import type { Policy } from '../../core/config/policy-config';
import type { TextRule } from '../../core/domain/name-template';
import { ProviderId } from '../../core/domain/provider';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from './copy-identity';
import { PROJECT_ID_PATTERN } from './schemas';
import { IMS_REGION_IDS } from './regions';
import { tagProblem } from './tags';

/** Room the job marker takes at the end of every description (copy-identity.ts). */
const MARKER_ROOM = 'image-replicator job '.length + 64 + 1;

/** What each placeholder can hold on IMS: names are IMS names, ids are UUIDs. */
const FIELDS: TextRule['fields'] = {
  sourceName: { maxLength: MAX_NAME_LENGTH, startsWith: 'letter-or-digit' },
  sourceId: { maxLength: 36, startsWith: 'letter-or-digit' },
  sourceRegion: { maxLength: 48, startsWith: 'letter' },
  destinationRegion: { maxLength: 48, startsWith: 'letter' },
  policy: { maxLength: 63, startsWith: 'letter-or-digit' },
};

/** IMS image names: 1–128 letters, digits, `-`, `.`, `_`, spaces and CJK, no space first. */
export const IMS_IMAGE_NAME: TextRule = {
  what: 'an IMS image name',
  minLength: 1,
  maxLength: MAX_NAME_LENGTH,
  allowedChar: /^[A-Za-z0-9\-._ \u4e00-\u9fff]$/u,
  firstChar: /^[A-Za-z0-9\-._\u4e00-\u9fff]$/u,
  fields: FIELDS,
};

/** IMS descriptions: at most 1,024 characters with no CR, LF, `<` or `>`; our job marker takes the end. */
export const IMS_DESCRIPTION: TextRule = {
  what: 'an IMS image description',
  minLength: 1,
  maxLength: MAX_DESCRIPTION_LENGTH - MARKER_ROOM,
  forbiddenChars: /[\r\n<>]/,
  fields: FIELDS,
};

/** The tags every copy carries (their values are at most this long), for the tag check. */
const OUR_TAGS = {
  'image-replicator:managed': 'true',
  'image-replicator:source-image': '00000000-0000-0000-0000-000000000000',
  'image-replicator:source-region': 'cn-north-4',
  'image-replicator:job': 'rj-000000000000000000000000',
};

/** IMS shares with projects (member projects of the image's region), named by their 32-character id. */
const shareIssues = (projects: readonly string[], path: readonly (string | number)[]): PolicyIssue[] =>
  projects.flatMap((project, index) =>
    PROJECT_ID_PATTERN.test(project) ? [] : [{ path: [...path, index], message: `${JSON.stringify(project.slice(0, 80))} is not a Huawei project id (32 lower-case hex characters): IMS shares with projects` }],
  );

/**
 * IMS shares with other tenants' projects of the image's region: never the project that owns it
 * (IMG.0076), and one of our other regions' projects cannot be a member either.
 */
const ownProjectIssues = (projects: readonly string[], ours: ReadonlyMap<string, string>, path: readonly (string | number)[]): PolicyIssue[] =>
  projects.flatMap((project, index) => {
    const region = ours.get(project);
    return region === undefined ? [] : [{ path: [...path, index], message: `${project} is this configuration's own project in ${region} (huaweiProjects): IMS shares with other tenants' projects in the image's region` }];
  });

/**
 * Retention on IMS: copies are grouped by name prefix (IMS images have no family), and deleted
 * without a deprecated stage (IMS has none); one a server runs from is kept (ECS tells).
 */
const retentionIssues = (retention: Policy['retention'], path: readonly (string | number)[]): PolicyIssue[] => {
  if (retention === undefined) return [];
  const issues: PolicyIssue[] = [];
  if (retention.groupBy === 'family') {
    issues.push({ path: [...path, 'groupBy'], message: 'Huawei IMS images have no family: group copies with groupBy: name-prefix and namePrefixes' });
  }
  if (retention.deprecateFor !== undefined) {
    issues.push({ path: [...path, 'deprecateFor'], message: 'Huawei IMS has no deprecated state: retention deletes copies past retention, without deprecateFor' });
  }
  return issues;
};

export const HUAWEI_RULES: ProviderRules = {
  provider: ProviderId.Huawei,
  displayName: 'Huawei Cloud',
  regions: new Set(IMS_REGION_IDS),
  imageName: IMS_IMAGE_NAME,
  description: IMS_DESCRIPTION,
  checkPolicy(policy) {
    const issues: PolicyIssue[] = [];
    if (policy.huawei === undefined) {
      issues.push({ path: ['huawei'], message: 'a Huawei policy names the IAM agency IMS copies with: huawei: { agencyName: … }' });
    }
    issues.push(...shareIssues(policy.shareInSourceRegion, ['shareInSourceRegion']));
    issues.push(...retentionIssues(policy.retention, ['retention']));
    policy.destinations.forEach((destination, index) => {
      issues.push(...shareIssues(destination.shareWith, ['destinations', index, 'shareWith']));
      issues.push(...retentionIssues(destination.retention, ['destinations', index, 'retention']));
      if (destination.copyFamily) issues.push({ path: ['destinations', index, 'copyFamily'], message: 'Huawei IMS images have no family' });
      if (destination.encryption?.enabled === true) {
        issues.push({ path: ['destinations', index, 'encryption'], message: 'Huawei IMS cannot encrypt a cross-region copy, nor copy an encrypted image' });
      }
      const problem = tagProblem({ ...destination.tags, ...OUR_TAGS });
      if (problem !== undefined) issues.push({ path: ['destinations', index, 'tags'], message: `${problem} (4 of them are the product's own)` });
    });
    return issues;
  },
  checkConfig(config) {
    const issues: PolicyIssue[] = [];
    const needed = new Set(
      config.policies.filter((p) => p.provider === ProviderId.Huawei).flatMap((p) => [p.source.region, ...p.destinations.map((d) => d.region)]),
    );
    for (const region of [...needed].sort()) {
      if (config.huaweiProjects[region] === undefined) {
        issues.push({ path: ['huaweiProjects', region], message: `the project id of ${region} is needed (IAM lists a project per region)` });
      }
    }
    const ours = new Map(Object.entries(config.huaweiProjects).map(([region, project]) => [project, region]));
    config.policies.forEach((policy, p) => {
      if (policy.provider !== ProviderId.Huawei) return;
      issues.push(...ownProjectIssues(policy.shareInSourceRegion, ours, ['policies', p, 'shareInSourceRegion']));
      policy.destinations.forEach((destination, d) => {
        issues.push(...ownProjectIssues(destination.shareWith, ours, ['policies', p, 'destinations', d, 'shareWith']));
      });
    });
    return issues;
  },
};

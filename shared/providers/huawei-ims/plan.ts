import type { CloudImage } from '../../core/domain/image';
import { ReplicaTag } from '../../core/domain/image';
import type { CopyPlan, CopyRequest } from '../../core/ports/copy-provider';
import { nameProblem } from './copy-identity';
import { copySizeCapGiB } from './regions';
import { tagProblem } from './tags';

/** The one route IMS has between regions. */
export const CROSS_REGION_ROUTE = 'cross-region-copy';

/** Codes of refusals decided before calling; the IMS ones are the codes IMS itself would answer. */
export const PlanCode = {
  SameRegion: 'IMG.0142',
  Encrypted: 'IMG.0143',
  TooLarge: 'IMG.0146',
  UnknownRegion: 'HuaweiUnknownRegion',
  NoEncryptionOnCopy: 'HuaweiNoEncryptionOnCopy',
  NoAgency: 'HuaweiNoAgency',
  InvalidProjectName: 'HuaweiInvalidProjectName',
  InvalidName: 'HuaweiInvalidName',
  InvalidTags: 'HuaweiInvalidTags',
} as const;

/** IAM agency names: short, printable, no separators that could break a JSON or a log line. */
const AGENCY_PATTERN = /^[A-Za-z0-9_.-][A-Za-z0-9_. -]{0,62}[A-Za-z0-9_.-]$|^[A-Za-z0-9_.-]$/;
/** Project names are the region id, or region id + `_` + sub-project. */
const PROJECT_NAME_PATTERN = /^[a-z]{2}-[a-z]{2,20}-[0-9]{1,3}(_[A-Za-z0-9_-]{1,40})?$/;

export interface PlanContext {
  /** Why a region cannot be used (unknown, no project id), or undefined when it can. */
  readonly regionProblem: (region: string) => string | undefined;
  readonly defaultAgencyName?: string | undefined;
}

/** The agency and destination project name of a request: its options first, then the provider's default. */
export const copyOptionsOf = (
  destination: CopyRequest['destination'],
  defaultAgencyName: string | undefined,
): { readonly agencyName?: string | undefined; readonly projectName: string } => ({
  agencyName: destination.options?.agencyName ?? defaultAgencyName,
  projectName: destination.options?.projectName ?? destination.region,
});

const refused = (code: string, message: string): CopyPlan => ({ kind: 'refused', code, message });

/**
 * Whether IMS would take this copy, decided from what we know without calling: regions, size cap
 * of the pair, encryption, agency, name and tags. IMS checks the same things again.
 */
export const planHuaweiCopy = (
  request: Pick<CopyRequest, 'source' | 'destination'> & { readonly sourceImage?: CloudImage | undefined },
  context: PlanContext,
): CopyPlan => {
  const { source, destination } = request;
  for (const region of [source.region, destination.region]) {
    const problem = context.regionProblem(region);
    if (problem !== undefined) return refused(PlanCode.UnknownRegion, problem);
  }
  if (source.region === destination.region) {
    return refused(PlanCode.SameRegion, `IMS copies only between regions; source and destination are both ${source.region}`);
  }
  if (request.sourceImage?.encrypted === true) {
    return refused(PlanCode.Encrypted, `image ${source.imageId} is encrypted (KMS); IMS does not copy encrypted images across regions`);
  }
  if (destination.encrypted === true || destination.kmsKeyId !== undefined) {
    return refused(PlanCode.NoEncryptionOnCopy, 'IMS cross-region copy cannot encrypt the copy (it takes no KMS key)');
  }
  const sizeGiB = source.sizeGiB ?? request.sourceImage?.sizeGiB;
  const cap = copySizeCapGiB(source.region, destination.region);
  if (sizeGiB !== undefined && sizeGiB > cap) {
    return refused(PlanCode.TooLarge, `image ${source.imageId} is ${sizeGiB} GiB; IMS copies at most ${cap} GiB from ${source.region} to ${destination.region}`);
  }
  const { agencyName, projectName } = copyOptionsOf(destination, context.defaultAgencyName);
  if (agencyName === undefined || agencyName === '') {
    return refused(PlanCode.NoAgency, 'IMS cross-region copy needs an IAM agency name (policy option agencyName or the provider default)');
  }
  if (!AGENCY_PATTERN.test(agencyName)) return refused(PlanCode.NoAgency, `agency name ${JSON.stringify(agencyName.slice(0, 64))} is not a valid IAM agency name`);
  if (!PROJECT_NAME_PATTERN.test(projectName)) {
    return refused(PlanCode.InvalidProjectName, `project name ${JSON.stringify(projectName.slice(0, 64))} is not a Huawei project name (like ${destination.region})`);
  }
  const badName = nameProblem(destination.name);
  if (badName !== undefined) return refused(PlanCode.InvalidName, badName);
  // Our four tags are added to the caller's when the copy ends; all must fit on one image.
  const placeholders = Object.fromEntries(Object.values(ReplicaTag).map((key) => [key, 'x']));
  const badTags = tagProblem({ ...placeholders, ...destination.tags });
  if (badTags !== undefined) return refused(PlanCode.InvalidTags, badTags);
  return { kind: 'copy', route: CROSS_REGION_ROUTE };
};

import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { isRetryable } from '../../shared/core/domain/errors';
import { ImageState } from '../../shared/core/domain/image';
import { ProviderId } from '../../shared/core/domain/provider';
import { oneLine } from '../errors';
import type { Target } from '../target';
import { describeAlibabaRegions } from './alibaba-regions';

export interface OnlineCheck {
  /** Regions the provider does not offer, with their paths in the file (exit 2). */
  readonly problems: readonly string[];
  /** What could not be asked at all (exit 1): an endpoint that does not answer, refused credentials. */
  readonly unanswered: readonly string[];
}

interface RegionUse {
  readonly path: string;
  readonly provider: ProviderId;
  readonly account: string;
  readonly region: string;
}

const regionUses = (config: PolicyConfig): RegionUse[] =>
  config.policies.flatMap((policy, p) => [
    { path: `policies[${p}].source.region`, provider: policy.provider, account: policy.account, region: policy.source.region },
    ...policy.destinations.map((d, i) => ({ path: `policies[${p}].destinations[${i}].region`, provider: policy.provider, account: policy.account, region: d.region })),
  ]);

/**
 * Asks each provider whether the policy's regions exist for this account. Alibaba answers with one
 * DescribeRegions; Huawei has no such call in IMS, so each region is asked for one small listing,
 * which fails for a region the tenant has no project in.
 */
export const checkRegionsOnline = async (config: PolicyConfig, target: Target): Promise<OnlineCheck> => {
  const uses = regionUses(config);
  const problems: string[] = [];
  const unanswered: string[] = [];
  const alibaba = uses.filter((use) => use.provider === ProviderId.Alibaba);
  if (alibaba.length > 0) {
    try {
      const offered = await describeAlibabaRegions(target.alibaba);
      for (const use of alibaba) if (!offered.has(use.region)) problems.push(`${use.path}: ${use.region} is not offered to this account (ECS DescribeRegions)`);
    } catch (error) {
      unanswered.push(`Alibaba Cloud regions could not be read: ${oneLine(error, target.secrets)}`);
    }
  }
  const asked = new Map<string, Promise<string | undefined>>();
  for (const use of uses.filter((u) => u.provider === ProviderId.Huawei)) {
    const key = `${use.account}/${use.region}`;
    if (!asked.has(key)) {
      asked.set(
        key,
        target.providers
          .get(use.provider, use.account)
          .listImages(use.region, { states: [ImageState.Available], ownedBySelf: true, createdSince: new Date() })
          .then(() => undefined)
          .catch((error: unknown) => (isRetryable(error) ? `unanswered:${oneLine(error, target.secrets)}` : oneLine(error, target.secrets))),
      );
    }
    const answer = await asked.get(key);
    if (answer === undefined) continue;
    if (answer.startsWith('unanswered:')) unanswered.push(`${use.path}: ${use.region} did not answer: ${answer.slice('unanswered:'.length)}`);
    else problems.push(`${use.path}: ${use.region} refused: ${answer}`);
  }
  return { problems, unanswered };
};

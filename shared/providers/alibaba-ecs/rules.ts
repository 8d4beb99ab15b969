import type { PolicyIssue, ProviderRules } from '../../core/config/provider-rules';
import type { TextRule } from '../../core/domain/name-template';
import { ProviderId } from '../../core/domain/provider';

/**
 * Alibaba Cloud's public regions with ECS (the "Common region IDs" reference and the ECS endpoint
 * tables), plus the finance clouds. A region newer than this list is declared with `extraRegions`;
 * `image-replicator validate --online` asks DescribeRegions instead.
 */
export const ALIBABA_REGIONS: ReadonlySet<string> = new Set([
  'cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu', 'cn-hangzhou', 'cn-shanghai',
  'cn-nanjing', 'cn-fuzhou', 'cn-wuhan-lr', 'cn-shenzhen', 'cn-heyuan', 'cn-guangzhou', 'cn-chengdu', 'cn-hongkong',
  'cn-zhengzhou-jva', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-3', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7', 'ap-southeast-8', 'us-east-1', 'us-west-1', 'us-southeast-1', 'eu-central-1',
  'eu-west-1', 'me-east-1', 'me-central-1', 'na-south-1', 'cn-shanghai-finance-1', 'cn-shenzhen-finance-1',
  'cn-beijing-finance-1', 'cn-hangzhou-finance',
]);

/** What each placeholder can hold on ECS: source names are ECS image names, ids start with `m-`. */
const FIELDS: TextRule['fields'] = {
  sourceName: { maxLength: 128, startsWith: 'letter' },
  sourceId: { maxLength: 64, startsWith: 'letter' },
  sourceRegion: { maxLength: 48, startsWith: 'letter' },
  destinationRegion: { maxLength: 48, startsWith: 'letter' },
  policy: { maxLength: 63, startsWith: 'letter-or-digit' },
};

/** CopyImage's DestinationImageName: 2–128 characters, a letter first, letters, digits and `.:_-`, no reserved prefix. */
export const ECS_IMAGE_NAME: TextRule = {
  what: 'an ECS image name',
  minLength: 2,
  maxLength: 128,
  allowedChar: /^[\p{L}\p{N}.:_-]$/u,
  firstChar: /^\p{L}$/u,
  forbiddenPrefixes: ['aliyun', 'acs:', 'http://', 'https://'],
  fields: FIELDS,
};

/** DestinationDescription: 2–256 characters, not starting with http:// or https://. */
export const ECS_DESCRIPTION: TextRule = {
  what: 'an ECS image description',
  minLength: 2,
  maxLength: 256,
  forbiddenPrefixes: ['http://', 'https://'],
  forbiddenChars: /[\u0000-\u001f]/,
  fields: FIELDS,
};

export const ALIBABA_RULES: ProviderRules = {
  provider: ProviderId.Alibaba,
  displayName: 'Alibaba Cloud',
  regions: ALIBABA_REGIONS,
  imageName: ECS_IMAGE_NAME,
  description: ECS_DESCRIPTION,
  checkPolicy: (policy) => {
    const issues: PolicyIssue[] = [];
    if (policy.huawei !== undefined) issues.push({ path: ['huawei'], message: 'settings for Huawei in a policy for Alibaba Cloud (provider: huawei?)' });
    // Alibaba account ids are all digits (the account's UID).
    const notUid = (account: string) => !/^\d{6,32}$/.test(account);
    policy.shareInSourceRegion.forEach((account, index) => {
      if (notUid(account)) issues.push({ path: ['shareInSourceRegion', index], message: `${JSON.stringify(account)} is not an Alibaba Cloud account id (all digits)` });
    });
    policy.destinations.forEach((destination, d) => {
      destination.shareWith.forEach((account, index) => {
        if (notUid(account)) issues.push({ path: ['destinations', d, 'shareWith', index], message: `${JSON.stringify(account)} is not an Alibaba Cloud account id (all digits)` });
      });
      // Only CMK-encrypted images can be shared: a copy encrypted with the service key cannot.
      if (destination.shareWith.length > 0 && destination.encryption?.enabled === true && destination.encryption.kmsKeyId === undefined) {
        issues.push({ path: ['destinations', d, 'encryption'], message: 'an encrypted copy can be shared only when encrypted with a customer key (kmsKeyId)' });
      }
    });
    return issues;
  },
};

import { ProviderId } from '../../shared/core/domain/provider';
import { ECS_BIG, ECS_DOOMED, ECS_GOLDEN, ECS_SOURCE, IMS_AGENCY, IMS_BIG, IMS_DOOMED, IMS_GOLDEN, IMS_SOURCE } from './clouds';

/** Who the first golden destination shares with: another Alibaba account; another tenant's IMS project. */
export const ECS_PARTNER_ACCOUNT = '1000000000000002';
export const IMS_PARTNER_PROJECT = 'a1'.repeat(16);
export const partnerOf = (provider: ProviderId): string => (provider === ProviderId.Huawei ? IMS_PARTNER_PROJECT : ECS_PARTNER_ACCOUNT);

export const WEBHOOKS = { ops: 'chaos-ops-secret-0123456789', audit: 'chaos-audit-secret-9876543210' } as const;
export type WebhookName = keyof typeof WEBHOOKS;

export interface PolicySettings {
  readonly provider: ProviderId;
  readonly maxAttempts?: number | undefined;
  readonly bigCopyTimeout?: string | undefined;
  readonly bigMaxAttempts?: number | undefined;
  readonly maxConcurrentCopiesPerRegion?: number | undefined;
}

/** The policy's knobs as the suite reads them back (expected outcomes and copy budgets depend on them). */
export const maxAttemptsOf = (settings: PolicySettings, role: 'golden' | 'big' | 'doomed'): number =>
  role === 'golden' ? (settings.maxAttempts ?? 3) : role === 'big' ? (settings.bigMaxAttempts ?? 1) : 1;

const webhookLines = (urls: Record<WebhookName, string>, names: readonly WebhookName[]): string =>
  names
    .map((name) => `      - { name: ${name}, url: "${urls[name]}", secretEnv: ${name.toUpperCase()}_SECRET, allowInsecureLoopback: true }`)
    .join('\n');

/** Three policies per cloud: golden to three regions, big to one with a short timeout, doomed to one it can never reach. */
export const policyText = (settings: PolicySettings, urls: Record<WebhookName, string>, huaweiProjects: Readonly<Record<string, string>>): string => {
  const huawei = settings.provider === ProviderId.Huawei;
  const provider = huawei ? `    provider: huawei\n    huawei: { agencyName: ${IMS_AGENCY} }\n` : '';
  const source = huawei ? IMS_SOURCE : ECS_SOURCE;
  // The first golden destination shares its copy with another account (IMS: another tenant's
  // project): the share step runs under the same faults as the copies.
  const golden = huawei
    ? IMS_GOLDEN.map((region, index) => (index === 0 ? `      - region: ${region}\n        shareWith: ["${IMS_PARTNER_PROJECT}"]` : `      - region: ${region}`)).join('\n')
    : // One encrypted destination: the copy request carries KMS settings (IMS cannot encrypt a copy).
      ECS_GOLDEN.map((region, index) =>
        region === 'cn-beijing'
          ? `      - region: ${region}\n        encryption: { enabled: true, kmsKeyId: key-1 }`
          : index === 0
            ? `      - region: ${region}\n        shareWith: ["${ECS_PARTNER_ACCOUNT}"]`
            : `      - region: ${region}`,
      ).join('\n');
  const projects = huawei ? `huaweiProjects:\n${Object.entries(huaweiProjects).map(([region, id]) => `  ${region}: "${id}"`).join('\n')}\n` : '';
  return `
version: 1
maxConcurrentCopiesPerRegion: ${settings.maxConcurrentCopiesPerRegion ?? 2}
policies:
  - name: golden
${provider}    source: { region: ${source}, select: { tags: { role: golden } } }
    destinations:
${golden}
    copyTimeout: 2h
    maxAttempts: ${maxAttemptsOf(settings, 'golden')}
    webhooks:
${webhookLines(urls, ['ops', 'audit'])}
  - name: big
${provider}    source: { region: ${source}, select: { tags: { role: big } } }
    destinations:
      - region: ${huawei ? IMS_BIG : ECS_BIG}
        name: "{sourceName:100}-big"
    copyTimeout: ${settings.bigCopyTimeout ?? '10m'}
    maxAttempts: ${maxAttemptsOf(settings, 'big')}
    webhooks:
${webhookLines(urls, ['ops'])}
  - name: doomed
${provider}    source: { region: ${source}, select: { tags: { role: doomed } } }
    destinations:
      - region: ${huawei ? IMS_DOOMED : ECS_DOOMED}
        name: "{sourceName:100}-doomed"
    copyTimeout: 2h
    maxAttempts: 1
    webhooks:
${webhookLines(urls, ['ops'])}
${projects}`;
};

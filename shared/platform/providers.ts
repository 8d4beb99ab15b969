import type { PolicyConfig } from '../core/config/policy-config';
import type { Clock } from '../core/domain/clock';
import { DEFAULT_ACCOUNT, ProviderId } from '../core/domain/provider';
import type { CopyProviders } from '../core/ports/copy-provider';
import type { AccessKeyCredentials } from '../core/ports/credentials';
import { AlibabaEcsCopyProvider } from '../providers/alibaba-ecs/copy-provider';
import { createEcsExtras } from '../providers/alibaba-ecs/ecs-extras';
import { type AlibabaCredentialSource, explicitCredentials } from '../providers/alibaba-ecs/credentials';
import { AlibabaEcsImageCloud, type AlibabaEcsImageCloudOptions, type EcsEndpointOverride } from '../providers/alibaba-ecs/image-cloud';
import { huaweiCredentialsFromEnv } from '../providers/huawei-ims/credentials';
import { HuaweiImsCopyProvider, type HuaweiImsCopyProviderOptions } from '../providers/huawei-ims/huawei-copy-provider';
import { createCopyProviders } from '../providers/registry';
import { namedAccountCredentials } from './accounts';

export interface ProviderSettings {
  readonly env: NodeJS.ProcessEnv;
  readonly config: PolicyConfig;
  /** Alibaba's default account: the function role's STS set on FC, the credential chain or a simulator's keys locally. */
  readonly alibabaDefault: AlibabaCredentialSource;
  readonly ecsEndpoint?: EcsEndpointOverride | undefined;
  /** Auto Scaling's endpoint when not the ECS override's (a private ESS endpoint). */
  readonly essEndpoint?: EcsEndpointOverride | undefined;
  readonly ecsTuning?: Pick<AlibabaEcsImageCloudOptions, 'readTimeoutMs' | 'connectTimeoutMs' | 'retry'> | undefined;
  /** Huawei's default account; the standard HUAWEICLOUD_SDK_* variables when absent. */
  readonly huaweiDefault?: AccessKeyCredentials | undefined;
  /** `http://127.0.0.1:8124/{region}` for the simulator; Huawei's public endpoints otherwise. */
  readonly huaweiEndpointTemplate?: string | undefined;
  /** ECS, for retention's "is a server running from it?"; the IMS override, else Huawei's public ECS endpoints, when absent. */
  readonly huaweiEcsEndpointTemplate?: string | undefined;
  /** Auto Scaling, for retention's "would a scaling configuration launch it?"; absent as for ECS. */
  readonly huaweiAsEndpointTemplate?: string | undefined;
  /** The IMS client's request timeout, its quick retries and, for tests, its fetch. */
  readonly huaweiTuning?: Pick<HuaweiImsCopyProviderOptions, 'timeouts' | 'retry' | 'fetch'> | undefined;
  /** Signatures are dated with real time, whatever clock the workflow runs on. */
  readonly wallClock: Clock;
}

/** The values never to print, of every account the settings can reach. */
export const providerSecrets = (settings: Pick<ProviderSettings, 'huaweiDefault'>): string[] =>
  [settings.huaweiDefault?.accessKeySecret, settings.huaweiDefault?.securityToken].filter((s): s is string => s !== undefined && s !== '');

/**
 * One copy provider per (provider, account), built on first use: a Huawei policy needs Huawei
 * credentials only when it runs, and an Alibaba-only deployment never asks for them.
 */
export const createProviders = (settings: ProviderSettings): CopyProviders =>
  createCopyProviders({
    [ProviderId.Alibaba]: (account) => {
      const ecs = new AlibabaEcsImageCloud({
        credentials: account === DEFAULT_ACCOUNT ? settings.alibabaDefault : explicitCredentials(namedAccountCredentials(settings.env, ProviderId.Alibaba, account)),
        endpoint: settings.ecsEndpoint,
        essEndpoint: settings.essEndpoint,
        ...settings.ecsTuning,
      });
      return new AlibabaEcsCopyProvider({ account, images: ecs, extras: createEcsExtras(ecs) });
    },
    [ProviderId.Huawei]: (account) =>
      new HuaweiImsCopyProvider({
        account,
        credentials:
          account === DEFAULT_ACCOUNT ? (settings.huaweiDefault ?? huaweiCredentialsFromEnv(settings.env)) : namedAccountCredentials(settings.env, ProviderId.Huawei, account),
        endpointTemplate: settings.huaweiEndpointTemplate,
        ecsEndpointTemplate: settings.huaweiEcsEndpointTemplate,
        asEndpointTemplate: settings.huaweiAsEndpointTemplate,
        projectIds: settings.config.huaweiProjects,
        extraRegions: settings.config.extraRegions,
        clock: settings.wallClock,
        ...settings.huaweiTuning,
      }),
  });

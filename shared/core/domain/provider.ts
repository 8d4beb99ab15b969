/** The providers the product knows. A third one adds its name here and a folder in shared/providers. */
export const ProviderId = { Alibaba: 'alibaba', Huawei: 'huawei' } as const;
export type ProviderId = (typeof ProviderId)[keyof typeof ProviderId];
export const PROVIDER_IDS: readonly ProviderId[] = Object.values(ProviderId);

/** The account a policy uses unless it names another: the credentials the function runs with. */
export const DEFAULT_ACCOUNT = 'default';

import { ConfigError } from '../core/domain/errors';
import type { ProviderId } from '../core/domain/provider';
import type { CopyProvider, CopyProviders } from '../core/ports/copy-provider';

/** How to build the provider of one account; called once per (provider, account). */
export type ProviderFactory = (account: string) => CopyProvider;

/**
 * Resolves the image cloud of a job or policy: one instance per (provider, account), built on
 * first use. A wiring registers a factory per provider it can reach; asking for another is a
 * configuration error naming the provider.
 */
export const createCopyProviders = (factories: Partial<Record<ProviderId, ProviderFactory>>): CopyProviders => {
  const built = new Map<string, CopyProvider>();
  return {
    get(provider, account) {
      const key = `${provider}/${account}`;
      const cached = built.get(key);
      if (cached !== undefined) return cached;
      const factory = factories[provider];
      if (factory === undefined) throw new ConfigError(`no ${provider} account is configured here (needed by a policy or job of account ${account})`);
      const instance = factory(account);
      built.set(key, instance);
      return instance;
    },
  };
};

import { templateProblems, type TextRule } from '../domain/name-template';
import type { ProviderId } from '../domain/provider';
import type { PolicyConfig } from './policy-config';
import type * as z from '../zod';

/**
 * What a provider accepts, as data the policy validation checks against: its regions, what its
 * image names and descriptions may be, and any provider-specific checks of a policy. Each provider
 * supplies its own (shared/providers/<name>/rules.ts); the core checks every policy once, with the
 * same error paths as the schema's.
 */
export interface ProviderRules {
  readonly provider: ProviderId;
  /** "Alibaba Cloud": for messages. */
  readonly displayName: string;
  /** Region ids the provider has; a policy may add newer ones with `extraRegions`. */
  readonly regions: ReadonlySet<string>;
  readonly imageName: TextRule;
  readonly description: TextRule;
  /** Extra checks (fields only this provider has, combinations it refuses), as issues with paths inside the policy. */
  checkPolicy?(policy: PolicyConfig['policies'][number]): readonly PolicyIssue[];
  /** Checks of the whole file for this provider (settings outside the policies), with paths from the root. */
  checkConfig?(config: PolicyConfig): readonly PolicyIssue[];
}

export interface PolicyIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Edit distance, for "did you mean": small strings only. */
const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
};

const suggestion = (region: string, known: ReadonlySet<string>): string => {
  const [best] = [...known].map((k) => [k, distance(region, k)] as const).sort((x, y) => x[1] - y[1]);
  return best !== undefined && best[1] <= 3 ? `; did you mean ${best[0]}?` : '';
};

/** Every problem of a (schema-valid) config against its providers' rules, as zod issues. */
export const providerRuleIssues = (config: PolicyConfig, rules: readonly ProviderRules[]): z.core.$ZodIssue[] => {
  const issues: PolicyIssue[] = [];
  const extra = new Set(config.extraRegions);
  config.policies.forEach((policy, index) => {
    const rule = rules.find((r) => r.provider === policy.provider);
    if (rule === undefined) return;
    const at = (...path: (string | number)[]) => ['policies', index, ...path];
    const checkRegion = (region: string, path: (string | number)[]) => {
      if (!rule.regions.has(region) && !extra.has(region)) {
        issues.push({ path, message: `${region} is not a region of ${rule.displayName}${suggestion(region, rule.regions)} (a newer region can be listed in extraRegions)` });
      }
    };
    checkRegion(policy.source.region, at('source', 'region'));
    policy.destinations.forEach((destination, d) => {
      checkRegion(destination.region, at('destinations', d, 'region'));
      for (const problem of templateProblems(destination.name, rule.imageName)) issues.push({ path: at('destinations', d, 'name'), message: problem });
      if (destination.description !== undefined) {
        for (const problem of templateProblems(destination.description, rule.description)) issues.push({ path: at('destinations', d, 'description'), message: problem });
      }
    });
    for (const issue of rule.checkPolicy?.(policy) ?? []) issues.push({ path: at(...issue.path), message: issue.message });
  });
  for (const rule of rules) {
    if (config.policies.some((policy) => policy.provider === rule.provider)) issues.push(...(rule.checkConfig?.(config) ?? []));
  }
  return issues.map((issue) => ({ code: 'custom', path: [...issue.path], message: issue.message, input: undefined }));
};

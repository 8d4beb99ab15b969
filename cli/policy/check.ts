import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { formatIssues, parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import { PolicyConfig } from '../../shared/core/config/policy-config';
import { providerRuleIssues } from '../../shared/core/config/provider-rules';
import { PROVIDER_RULES } from '../../shared/providers/catalog';

type Issue = z.core.$ZodIssue;

export interface PolicyCheck {
  /** The config when it is valid. */
  readonly config?: PolicyConfig | undefined;
  /** Every problem found, each with its path: `policies[0].destinations[1].region: …`. */
  readonly problems: readonly string[];
  /** Some problems hide others (the providers' rules need a schema-valid file): validate again after fixing. */
  readonly partial: boolean;
}

/** Fields the providers' rules read: a problem there cannot be set aside to check the rest. */
const RULE_FIELDS = new Set(['name', 'provider', 'account', 'source', 'destinations', 'huawei']);
const ROOT_RULE_FIELDS = new Set(['version', 'policies', 'huaweiProjects', 'extraRegions']);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const at = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((node, key) => (isObject(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined), root);

/**
 * The file without the parts the schema refused, where those parts are ones the providers' rules
 * never read (a webhook, a timeout, an unknown key): removing them shifts no index, so the rules'
 * problems still carry the right paths. Undefined when a refused part is one the rules need.
 */
const withoutRefusedParts = (raw: unknown, issues: readonly Issue[]): unknown => {
  const copy: unknown = structuredClone(raw);
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const node = at(copy, path);
      if (!isObject(node)) return undefined;
      for (const key of issue.keys) delete node[key];
      continue;
    }
    const [first, index, key] = path;
    if (first === 'policies' && typeof index === 'number' && typeof key === 'string' && !RULE_FIELDS.has(key)) {
      const policy = at(copy, ['policies', index]);
      if (!isObject(policy)) return undefined;
      delete policy[key];
      continue;
    }
    if (typeof first === 'string' && !ROOT_RULE_FIELDS.has(first) && isObject(copy)) {
      delete copy[first];
      continue;
    }
    return undefined;
  }
  return copy;
};

const sameIssue = (a: Issue, b: Issue): boolean => a.message === b.message && a.path.join('.') === b.path.join('.');

/**
 * Checks a policy file and reports every problem at once: the schema's, and the providers' rules
 * (regions, image name templates) even when the schema refused something the rules do not read,
 * so that one `validate` shows a bad webhook, a bad name template and a misspelt region together.
 */
export const checkPolicyText = (text: string, origin: string): PolicyCheck => {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    // parsePolicyConfig words a YAML error with its line: let it throw that.
    parsePolicyConfig(text, origin, PROVIDER_RULES);
    throw new Error('unreachable: the YAML did not parse');
  }
  const schema = PolicyConfig.safeParse(raw);
  if (schema.success) {
    const issues = providerRuleIssues(schema.data, PROVIDER_RULES);
    return { config: issues.length === 0 ? schema.data : undefined, problems: lines(issues), partial: false };
  }
  const pruned = withoutRefusedParts(raw, schema.error.issues);
  const rest = pruned === undefined ? undefined : PolicyConfig.safeParse(pruned);
  if (rest === undefined || !rest.success) return { problems: lines(schema.error.issues), partial: true };
  const ruleIssues = providerRuleIssues(rest.data, PROVIDER_RULES).filter((issue) => !schema.error.issues.some((other) => sameIssue(issue, other)));
  return { problems: lines([...schema.error.issues, ...ruleIssues]), partial: false };
};

const lines = (issues: readonly Issue[]): string[] => (issues.length === 0 ? [] : formatIssues(issues, 100).split('\n'));

/** Webhook secrets the environment lacks, by variable name only: never a value. */
export const missingSecrets = (config: PolicyConfig, env: NodeJS.ProcessEnv): string[] =>
  config.policies.flatMap((policy, p) =>
    policy.webhooks.flatMap((hook, w) => {
      const value = env[hook.secretEnv];
      return value !== undefined && value.length >= 16
        ? []
        : [`policies[${p}].webhooks[${w}].secretEnv: ${hook.secretEnv} is ${value === undefined || value === '' ? 'not set in the environment' : 'shorter than 16 characters'}`];
    }),
  );

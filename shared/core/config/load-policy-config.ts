import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../domain/errors';
import { PolicyConfig, type Webhook } from './policy-config';
import { type ProviderRules, providerRuleIssues } from './provider-rules';
import * as z from '../zod';

/** At most this many problems are listed: a broken file should not print a thousand lines. */
const MAX_LISTED_ISSUES = 25;
const MAX_POLICY_BYTES = 1024 * 1024;

/** `policies[0].destinations[1].region: expected a region id ...`, one line per problem. */
export const formatIssues = (issues: readonly z.core.$ZodIssue[], max = MAX_LISTED_ISSUES): string =>
  [
    ...issues.slice(0, max).map((issue) => {
      const path = issue.path
        .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
        .join('');
      return `${path || '(root)'}: ${issue.message}`;
    }),
    ...(issues.length > max ? [`… and ${issues.length - max} more`] : []),
  ].join('\n');

/**
 * Parses and validates a policy file's text, against the providers' rules when given (regions,
 * names). Throws ConfigError naming the file, path and problem.
 */
export const parsePolicyConfig = (text: string, origin: string, rules: readonly ProviderRules[] = []): PolicyConfig => {
  if (text.length > MAX_POLICY_BYTES) throw new ConfigError(`${origin} is larger than ${MAX_POLICY_BYTES} bytes: not a policy file`);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError ? ` (line ${error.linePos?.[0].line ?? '?'})` : '';
    throw new ConfigError(`${origin}: not valid YAML${where}: ${error instanceof Error ? error.message.split('\n')[0] : ''}`, {
      cause: error,
    });
  }
  const result = z.safeParse(PolicyConfig, raw);
  if (!result.success) throw new ConfigError(`${origin} is not a valid policy file:\n${formatIssues(result.error.issues)}`);
  const issues = providerRuleIssues(result.data, rules);
  if (issues.length > 0) throw new ConfigError(`${origin} is not a valid policy file:\n${formatIssues(issues)}`);
  return result.data;
};

export type WebhookSecrets = ReadonlyMap<string, string>;

/**
 * Reads every webhook's signing secret from the environment, failing on the first missing one,
 * so a function with a missing secret fails at cold start rather than at its first notification.
 */
export const resolveWebhookSecrets = (config: PolicyConfig, env: NodeJS.ProcessEnv): WebhookSecrets => {
  const secrets = new Map<string, string>();
  const missing: string[] = [];
  for (const policy of config.policies) {
    for (const hook of policy.webhooks) {
      const secret = env[hook.secretEnv];
      if (secret === undefined || secret.length < 16) missing.push(`${policy.name}/${hook.name}: ${hook.secretEnv}`);
      else secrets.set(webhookKey(policy.name, hook), secret);
    }
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `webhook secrets missing or shorter than 16 characters in the environment:\n${missing.join('\n')}`,
    );
  }
  return secrets;
};

export const webhookKey = (policy: string, hook: Pick<Webhook, 'name'>): string => `${policy}/${hook.name}`;

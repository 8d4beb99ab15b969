import { formatIssues } from '../../shared/core/config/load-policy-config';
import { ConfigError } from '../../shared/core/domain/errors';
import { StatusToken } from '../../shared/platform/status-page/auth';
import * as z from '../../shared/core/zod';

/**
 * What the status page reads besides the workflow's own environment (function-env.ts): its
 * token. Checked at cold start, so a page without one never answers anybody.
 */
export const StatusPageEnv = z.object({
  /** Asked of every request (bearer token, or the password of basic authentication). */
  IMAGE_REPLICATOR_STATUS_TOKEN: StatusToken,
  /** Seconds between the page's reloads; 0 for none. */
  IMAGE_REPLICATOR_STATUS_REFRESH_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(3600)), 15),
});
export type StatusPageEnv = z.infer<typeof StatusPageEnv>;

export const loadStatusPageEnv = (env: NodeJS.ProcessEnv): StatusPageEnv => {
  const result = z.safeParse(StatusPageEnv, env);
  // The issues name the variable and the rule, never the value.
  if (!result.success) throw new ConfigError(`status page environment is incomplete:\n${formatIssues(result.error.issues)}`);
  return result.data;
};

/**
 * The bundled policy, validated by the build. Reading and checking a policy file (YAML, zod, the
 * providers' rules, RE2 name patterns) costs about a fifth of a function's cold start, and the
 * bundled file cannot change after the build, so the build writes its validated form beside it:
 *
 *   policy.validated.json = { "policySha256": sha256 of policy.yaml's bytes, "config": PolicyConfig }
 *
 * A function that reads policy.yaml may take `config` instead of parsing, when the hash of the
 * text it read matches (readValidatedPolicy); an edited or different file falls back to the full
 * check. Only plain data is written: a config holding anything JSON cannot carry is not written.
 */
import type { PolicyConfig } from '../shared/core/config/policy-config';
import { policySha256 } from '../shared/platform/fc/validated-policy';

export { VALIDATED_POLICY_FILE } from '../shared/platform/fc/validated-policy';

/** Strings, finite numbers, booleans, null, arrays and plain objects only. */
const isPlainData = (value: unknown): boolean => {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isPlainData);
  return false;
};

/** The file's text, or undefined when the config is not plain data and must be parsed at start. */
export const validatedPolicyText = (policyText: string, config: PolicyConfig): string | undefined =>
  isPlainData(config) ? `${JSON.stringify({ policySha256: policySha256(policyText), config })}\n` : undefined;

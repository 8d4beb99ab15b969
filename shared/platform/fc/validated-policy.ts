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
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PolicyConfig } from '../../core/config/policy-config';
import * as z from '../../core/zod';

export const VALIDATED_POLICY_FILE = 'policy.validated.json';

export const policySha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const envelope = z.object({ policySha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)), config: z.unknown() });

/**
 * For the function's wiring: the validated config of the policy file at `policyFile`, whose text
 * `policyText` it has read, or undefined (no validated file, or one for another text).
 */
export const readValidatedPolicy = (policyFile: string, policyText: string): PolicyConfig | undefined => {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dirname(policyFile), VALIDATED_POLICY_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = z.safeParse(envelope, raw);
  // The hash ties the config to the very text the build validated with this code.
  return parsed.success && parsed.data.policySha256 === policySha256(policyText) ? (parsed.data.config as PolicyConfig) : undefined;
};

import { readFileSync } from 'node:fs';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { ConfigError } from '../../shared/core/domain/errors';
import { PROVIDER_RULES } from '../../shared/providers/catalog';

export const readPolicyText = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
};

/** A policy file, checked against the schema and every provider's rules; ConfigError (exit 2) otherwise. */
export const loadPolicyFile = (path: string): PolicyConfig => parsePolicyConfig(readPolicyText(path), path, PROVIDER_RULES);

import type { ProviderRules } from '../core/config/provider-rules';
import { ALIBABA_RULES } from './alibaba-ecs/rules';
import { HUAWEI_RULES } from './huawei-ims/rules';

/** Every provider's rules, for policy validation wherever a policy is read (CLI, functions, build). */
export const PROVIDER_RULES: readonly ProviderRules[] = [ALIBABA_RULES, HUAWEI_RULES];

import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';

/** A small valid policy for use-case tests; override what a test is about. */
export const testPolicyConfig = (yaml?: string): PolicyConfig =>
  parsePolicyConfig(
    yaml ??
      `
version: 1
maxConcurrentCopiesPerRegion: 2
policies:
  - name: golden
    source:
      region: cn-hangzhou
      select:
        tags: { role: golden }
    destinations:
      - region: cn-shanghai
      - region: cn-beijing
        name: "{sourceName}-bj"
        encryption: { enabled: true, kmsKeyId: key-123 }
    copyTimeout: 2h
    maxAttempts: 2
    webhooks:
      - name: ops
        url: https://hooks.example.com/replication
        secretEnv: OPS_WEBHOOK_SECRET
`,
    'test policy',
  );

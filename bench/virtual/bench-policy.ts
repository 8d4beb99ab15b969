import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { type WebhookSecrets, parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { SOURCE_REGION } from '../world/regions';

/** The tag the bench's golden images carry and the policies select on. */
export const GOLDEN_TAG = { role: 'golden' } as const;

const SECRET_ENV = 'BENCH_WEBHOOK_SECRET';
const SECRET = 'bench-webhook-secret-0123456789';

/**
 * The policy a team would write for the fan-out: golden images of the source region to every
 * destination, one generic webhook (answered by the bench's recording transport; the URL is never
 * dialled), a copy timeout long enough for the slowest link so no copy is cut short.
 */
export const benchPolicy = (options: { destinations: readonly string[]; relay: boolean }): { config: PolicyConfig; secrets: WebhookSecrets } => {
  const text = [
    'version: 1',
    'maxConcurrentCopiesPerRegion: 5',
    'policies:',
    '  - name: bench',
    `    source: { region: ${SOURCE_REGION}, select: { tags: { role: ${GOLDEN_TAG.role} } } }`,
    `    destinations: [${options.destinations.map((region) => `{ region: ${region} }`).join(', ')}]`,
    `    relay: ${options.relay}`,
    '    copyTimeout: 1d',
    '    webhooks:',
    `      - { name: ops, url: "https://hooks.example.com/image-replicator", secretEnv: ${SECRET_ENV} }`,
    '',
  ].join('\n');
  const config = parsePolicyConfig(text, 'bench');
  return { config, secrets: resolveWebhookSecrets(config, { [SECRET_ENV]: SECRET }) };
};

import { createCloudWiring } from '../../shared/platform/fc/cloud-wiring';
import { loadStatusPageEnv } from './env';
import { makeStatusPageHandler } from './handler';

/** FC 3.0 entry (`handler: index.handler`). Token, environment and policy are checked at cold start. */
const env = loadStatusPageEnv(process.env);
export const handler = makeStatusPageHandler(createCloudWiring(process.env, { webhookSecrets: false }), {
  token: env.IMAGE_REPLICATOR_STATUS_TOKEN,
  refreshSeconds: env.IMAGE_REPLICATOR_STATUS_REFRESH_SECONDS,
});

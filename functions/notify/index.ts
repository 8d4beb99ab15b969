import { createCloudWiring } from '../../shared/platform/fc/cloud-wiring';
import { makeNotifyHandler } from './handler';

/** FC 3.0 entry (`handler: index.handler`). The environment and policy are checked here, at cold start. */
export const handler = makeNotifyHandler(createCloudWiring(process.env, { webhookSecrets: true }));

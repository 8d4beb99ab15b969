import { join } from 'node:path';
import type { BackendFlags } from '../backend-options';
import type { Io } from '../io';
import { DEFAULT_STATE_DIR, STATE_DIR_ENV, userPath } from '../paths';
import { hasLocalState } from './local-backend';

/**
 * `npm start` keeps the demo's state in ./.image-replicator/demo so that a demo never touches real
 * state; when nothing else was asked for and only the demo has run here, `status` and `serve` show
 * the demo's. Answers the demo's folder then, else undefined.
 */
export const demoFallback = (io: Io, flags: BackendFlags): string | undefined => {
  if (flags.stateDir !== undefined || flags.cloud === true || flags.profile !== undefined || (io.env[STATE_DIR_ENV] ?? '') !== '') return undefined;
  const home = userPath(io.cwd, DEFAULT_STATE_DIR);
  const demo = join(home, 'demo');
  return !hasLocalState(home) && hasLocalState(demo) ? demo : undefined;
};

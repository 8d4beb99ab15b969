import type { CopySpeeds } from '../domain/copy-speed';

/**
 * Where observed copy speeds are kept between invocations, per provider account (`scopeKey`).
 * Last writer wins: a speed is advice, and an observation lost to a concurrent write is replaced
 * by the next copy on the pair. `read` answers what parses (see parseCopySpeeds), `{}` when nothing.
 */
export interface SpeedBook {
  readSpeeds(scope: string): Promise<CopySpeeds>;
  writeSpeeds(scope: string, speeds: CopySpeeds): Promise<void>;
}

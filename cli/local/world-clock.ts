import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../shared/core/domain/clock';
import { SIM_WORLD_FILE } from '../target';

const SavedClock = z.object({ clockMs: z.number().int() });

/**
 * The time of the simulated world the local jobs were written in, or undefined when the state
 * folder holds no simulated world. A run on the embedded simulators stamps its jobs with their
 * virtual time, which runs ahead of the wall clock while a run goes and stands still between runs:
 * ages, ETAs and stalls measured against the wall clock would be nonsense (a world saved last
 * month has every job "older than a week"). The time is read from the world file, which a run
 * saves after every change, so a page served beside a run follows it; no simulator is started and
 * nothing is written.
 */
export const simulatedWorldClock = (stateDir: string): Clock | undefined => {
  const file = join(stateDir, SIM_WORLD_FILE);
  let cached: { mtimeMs: number; clockMs: number } | undefined;
  const read = (): { mtimeMs: number; clockMs: number } | undefined => {
    try {
      const { mtimeMs } = statSync(file);
      if (cached !== undefined && cached.mtimeMs === mtimeMs) return cached;
      return { mtimeMs, clockMs: SavedClock.parse(JSON.parse(readFileSync(file, 'utf8'))).clockMs };
    } catch {
      // Being replaced by a run right now, or unreadable: the last time read stands.
      return cached;
    }
  };
  cached = read();
  if (cached === undefined) return undefined;
  return {
    now: () => {
      cached = read();
      return new Date(cached?.clockMs ?? Date.now());
    },
  };
};

import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../shared/core/domain/clock';
import type { Logger } from '../../shared/core/ports/logger';
import { createJsonLogger, LogLevel } from '../../shared/platform/logging/json-logger';
import { humanLogLines } from '../render/log-lines';

export const LOG_FILE = 'image-replicator.log';
export const LOG_LEVEL_ENV = 'IMAGE_REPLICATOR_LOG_LEVEL';

const levelOf = (line: string): number => {
  const match = /"level":"(debug|info|warn|error)"/.exec(line);
  return match?.[1] === undefined ? LogLevel.error : LogLevel[match[1] as keyof typeof LogLevel];
};

const consoleLevel = (env: NodeJS.ProcessEnv, verbose: boolean): number => {
  const asked = env[LOG_LEVEL_ENV];
  if (asked !== undefined && asked in LogLevel) return LogLevel[asked as keyof typeof LogLevel];
  return verbose ? LogLevel.info : LogLevel.warn;
};

/**
 * The handlers' logger for a local run: every line (info and up, secrets redacted) appended to
 * the state folder's log file, and the warnings shown to the person running it, as one short line
 * each (or as the JSON itself with `json`, for machines).
 */
export const createRunLogger = (options: {
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: readonly string[];
  readonly clock: Clock;
  readonly verbose: boolean;
  readonly json: boolean;
  readonly show: (line: string) => void;
}): { logger: Logger; file: string } => {
  mkdirSync(options.stateDir, { recursive: true });
  const file = join(options.stateDir, LOG_FILE);
  const threshold = consoleLevel(options.env, options.verbose);
  const human = humanLogLines(options.show);
  const logger = createJsonLogger({
    level: 'info',
    secrets: options.secrets,
    clock: () => options.clock.now(),
    sink: (line) => {
      appendFileSync(file, `${line}\n`);
      if (levelOf(line) < threshold) return;
      if (options.json) options.show(line);
      else human(line);
    },
  });
  return { logger, file };
};

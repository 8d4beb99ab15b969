import type { Io, StopRequest } from './io';

/** What every command gets: its process's streams and environment, and the stop request. */
export interface CommandContext {
  readonly io: Io;
  readonly stop: StopRequest;
}

/** The exit code the command that ran asked for; commander's own errors set theirs elsewhere. */
export interface ExitHolder {
  code: number;
}

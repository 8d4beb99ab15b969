import { ConfigError, isReplicationError } from '../shared/core/domain/errors';
import { ExitCode } from './exit-codes';

/** Longest reason a summary line carries: enough for a code and the gist, never a stack of causes. */
const MAX_REASON_CHARS = 300;

/**
 * A command's own refusal or failure, with the exit code it means. Thrown anywhere in a command and
 * turned into one line on stderr by the program.
 */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Failed,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

export const usageFailure = (message: string): CliFailure => new CliFailure(message, ExitCode.Usage);

/** Values never to print, removed from any text before it leaves the process. */
export const redact = (text: string, secrets: readonly string[]): string =>
  secrets.filter((s) => s.length >= 4).reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);

/**
 * One line for a person: the error's code and the first line of its message. Causes are left out
 * on purpose: every layer wraps the same root cause, and printing them all says the same thing four
 * times. The JSON log keeps the whole chain.
 */
export const oneLine = (error: unknown, secrets: readonly string[] = []): string => {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n').find((line) => line.trim() !== '') ?? '';
  const flat = first.replace(/\s+/g, ' ').trim();
  const cut = flat.length > MAX_REASON_CHARS ? `${flat.slice(0, MAX_REASON_CHARS - 1)}…` : flat;
  const code = isReplicationError(error) && !(error instanceof ConfigError) && !cut.includes(error.code) ? `${error.code}: ` : '';
  return redact(`${code}${cut}`, secrets);
};

/** The exit code an error that escaped a command stands for. */
export const exitCodeOf = (error: unknown): number => {
  if (error instanceof CliFailure) return error.exitCode;
  if (error instanceof ConfigError) return ExitCode.Usage;
  return ExitCode.Failed;
};

/** What stderr shows for an error that escaped a command: a config error keeps its list of problems. */
export const describeFailure = (error: unknown, secrets: readonly string[] = []): string => {
  if (error instanceof ConfigError || error instanceof CliFailure) return redact(error.message, secrets);
  return oneLine(error, secrets);
};

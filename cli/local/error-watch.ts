import type { LogFields, Logger } from '../../shared/core/ports/logger';

export interface LoggedError {
  readonly message: string;
  readonly fields: LogFields;
}

/**
 * A logger that also keeps the error-level entries, for the CLI to judge work that reports its
 * trouble only in the log: a sweep skips a region it cannot read (refused credentials, a region
 * the account cannot use) and goes on, and its answer does not say so.
 */
export const watchErrors = (logger: Logger, found: LoggedError[]): Logger => ({
  debug: (message, fields) => logger.debug(message, fields),
  info: (message, fields) => logger.info(message, fields),
  warn: (message, fields) => logger.warn(message, fields),
  error: (message, fields) => {
    found.push({ message, fields: fields ?? {} });
    logger.error(message, fields);
  },
  child: (fields) => watchErrors(logger.child(fields), found),
});

/** One line for a logged error: what failed, where, and the error's text. */
export const describeLoggedError = (entry: LoggedError): string => {
  const where = [entry.fields.scope, entry.fields.region, entry.fields.imageId].filter((v) => typeof v === 'string').join(' ');
  const error = typeof entry.fields.error === 'string' ? entry.fields.error : typeof entry.fields.code === 'string' ? entry.fields.code : '';
  return `${entry.message}${where === '' ? '' : ` (${where})`}${error === '' ? '' : `: ${error}`}`;
};

/** Like watchErrors, for warnings too: use cases that go on without a part (plan without retention) warn. */
export const watchProblems = (logger: Logger, found: LoggedError[]): Logger => ({
  debug: (message, fields) => logger.debug(message, fields),
  info: (message, fields) => logger.info(message, fields),
  warn: (message, fields) => {
    found.push({ message, fields: fields ?? {} });
    logger.warn(message, fields);
  },
  error: (message, fields) => {
    found.push({ message, fields: fields ?? {} });
    logger.error(message, fields);
  },
  child: (fields) => watchProblems(logger.child(fields), found),
});

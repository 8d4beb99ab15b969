import type { LogFields, Logger } from '../../shared/core/ports/logger';

/**
 * Both job stores (SQLite and Tablestore) skip a row they cannot read and log it with this message
 * and the row's id: the one place the CLI learns which rows those are without reading the table twice.
 */
export const CORRUPT_ROW_MESSAGE = 'skipping a corrupt job row';

/** A logger that also notes, by id, every corrupt job row a store skipped. */
export const watchCorruptRows = (logger: Logger, found: Map<string, string>): Logger => {
  const note = (message: string, fields: LogFields | undefined) => {
    const id = fields?.jobId;
    if (message === CORRUPT_ROW_MESSAGE && typeof id === 'string') found.set(id, typeof fields?.error === 'string' ? fields.error : 'unreadable');
  };
  return {
    debug: (message, fields) => logger.debug(message, fields),
    info: (message, fields) => logger.info(message, fields),
    warn: (message, fields) => logger.warn(message, fields),
    error: (message, fields) => {
      note(message, fields);
      logger.error(message, fields);
    },
    child: (fields) => watchCorruptRows(logger.child(fields), found),
  };
};

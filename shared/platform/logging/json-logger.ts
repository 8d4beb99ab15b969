import type { LogFields, Logger } from '../../core/ports/logger';

export const LogLevel = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LogLevel;

const SECRET_KEY = /secret|token|password|authorization|signature|credential/i;
const REDACTED = '[redacted]';

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go; FC collects stdout. */
  readonly sink?: (line: string) => void;
  readonly fields?: LogFields;
  /** Values that must never be printed, wherever they appear (webhook secrets, keys). */
  readonly secrets?: readonly string[];
  readonly clock?: () => Date;
}

const serialiseError = (error: Error): LogFields => ({
  name: error.name,
  message: error.message,
  ...('code' in error ? { code: (error as { code: unknown }).code } : {}),
  ...(error.cause instanceof Error ? { cause: serialiseError(error.cause) } : {}),
});

const scrub = (value: unknown, secrets: readonly string[], depth = 0): unknown => {
  if (typeof value === 'string') return secrets.reduce((text, secret) => text.split(secret).join(REDACTED), value);
  if (value instanceof Error) return scrub(serialiseError(value), secrets, depth + 1);
  if (value instanceof Date) return value.toISOString();
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, secrets, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? REDACTED : scrub(item, secrets, depth + 1)]),
  );
};

/** One JSON object per line, secrets redacted by key name and by value. */
export const createJsonLogger = (options: JsonLoggerOptions = {}): Logger => {
  const threshold = LogLevel[options.level ?? 'info'];
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 4);
  const clock = options.clock ?? (() => new Date());
  const base = options.fields ?? {};
  const write = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (LogLevel[level] < threshold) return;
    const record = scrub({ time: clock().toISOString(), level, message, ...base, ...fields }, secrets);
    sink(JSON.stringify(record));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => createJsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
};

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

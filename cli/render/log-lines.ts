import { z } from 'zod';

/** The fields of our own JSON log lines that a person needs; the rest stays in the log file. */
const LogRecord = z
  .object({
    level: z.string(),
    message: z.string(),
    function: z.string().optional(),
    code: z.unknown().optional(),
    error: z.unknown().optional(),
    jobId: z.unknown().optional(),
    scope: z.unknown().optional(),
    region: z.unknown().optional(),
    imageId: z.unknown().optional(),
  })
  .loose();

const MAX_ERROR_CHARS = 200;
/** The same message with the same error is shown this often; the log file keeps every one. */
const MAX_REPEATS = 3;

const short = (value: unknown): string => {
  const text = (typeof value === 'string' ? value : JSON.stringify(value) ?? '').split('\n')[0]?.replace(/\s+/g, ' ').trim() ?? '';
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
};

/**
 * Turns the handlers' JSON log lines into one short line each for a terminal. Every layer logs the
 * same root cause as it passes it on; the error text is shown the first time only, after that the
 * line says "(same error)", and the same message with the same error is shown a few times only.
 * Lines that are not ours pass through untouched.
 */
export const humanLogLines = (show: (line: string) => void): ((jsonLine: string) => void) => {
  const seen = new Set<string>();
  const repeats = new Map<string, number>();
  return (jsonLine) => {
    let parsed: z.ZodSafeParseResult<z.infer<typeof LogRecord>>;
    try {
      parsed = LogRecord.safeParse(JSON.parse(jsonLine));
    } catch {
      show(jsonLine);
      return;
    }
    if (!parsed.success) {
      show(jsonLine);
      return;
    }
    const record = parsed.data;
    const where = [record.scope, record.region, record.imageId, record.jobId].filter((v) => v !== undefined).map(short).join(' ');
    const errorText = record.error === undefined ? '' : short(record.error);
    const key = `${record.level}\n${record.function ?? ''}\n${record.message}\n${errorText}`;
    const count = (repeats.get(key) ?? 0) + 1;
    repeats.set(key, count);
    if (count > MAX_REPEATS) return;
    const repeated = errorText !== '' && seen.has(errorText);
    if (errorText !== '') seen.add(errorText);
    const cause = errorText === '' ? (record.code === undefined ? '' : `: ${short(record.code)}`) : repeated ? ' (same error)' : `: ${errorText}`;
    const more = count === MAX_REPEATS ? ' (shown no more; the log file has every one)' : '';
    show(`${record.level.padEnd(5)} ${record.function === undefined ? '' : `${record.function}: `}${record.message}${where === '' ? '' : ` [${where}]`}${cause}${more}`);
  };
};

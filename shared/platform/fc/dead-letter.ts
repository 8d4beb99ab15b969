import * as z from '../../core/zod';

/**
 * The one dead-letter shape, wherever input is set aside (an FC handler, the local runtime's
 * redelivery limit): what failed, why, and the input itself, bounded. An MNS message is at most
 * 64 KiB; a letter must always fit, however large or deep the input was, or the send fails and
 * takes the rest of the batch down with it.
 */
export const DeadLetterV1 = z.strictObject({
  type: z.literal('dead-letter'),
  version: z.literal(1),
  function: z.string().check(z.maxLength(64)),
  code: z.string().check(z.maxLength(128)),
  reason: z.string().check(z.maxLength(1024)),
  /** The input, cut to MAX_RAW_CHARS; `truncated` says whether it was. */
  raw: z.string(),
  truncated: z.boolean(),
  /** The queue message id, when the input was one: redrive finds the body by it. */
  messageId: z.optional(z.string().check(z.maxLength(128))),
  at: z.string(),
  /** How many times the input was tried before it was set aside. */
  receives: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type DeadLetterV1 = z.infer<typeof DeadLetterV1>;

export const MAX_REASON_CHARS = 1024;
export const MAX_RAW_CHARS = 16 * 1024;

/** Printable text, cut by code point with a marker. */
const bounded = (text: string, max: number): { text: string; truncated: boolean } => {
  const printable = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '?');
  const points = [...printable.slice(0, max * 2)];
  return points.length > max || printable.length > max * 2
    ? { text: `${points.slice(0, max - 1).join('')}…`, truncated: true }
    : { text: printable, truncated: false };
};

export const deadLetter = (input: {
  readonly function: string;
  readonly code: string;
  readonly reason: string;
  readonly raw: string;
  readonly at: Date;
  readonly messageId?: string | undefined;
  readonly receives?: number | undefined;
}): DeadLetterV1 => {
  const raw = bounded(input.raw, MAX_RAW_CHARS);
  return z.parse(DeadLetterV1, {
    type: 'dead-letter',
    version: 1,
    function: input.function.slice(0, 64),
    code: input.code.slice(0, 128),
    reason: bounded(input.reason, MAX_REASON_CHARS).text,
    raw: raw.text,
    truncated: raw.truncated,
    ...(input.messageId === undefined ? {} : { messageId: input.messageId.slice(0, 128) }),
    at: input.at.toISOString(),
    ...(input.receives === undefined ? {} : { receives: input.receives }),
  });
};

/**
 * The part of EventBridge's event-pattern language our rules use, enough to check a pattern against
 * documented events offline: a key's array lists alternatives, each an exact value or a
 * `{prefix}` / `{suffix}` object; nested objects match nested fields; every key given must match.
 * Anything else in a pattern is refused, so a pattern cannot quietly use a rule we do not model.
 */
import { z } from 'zod';

const Alternative = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.object({ prefix: z.string() }).strict(),
  z.object({ suffix: z.string() }).strict(),
]);
type Alternative = z.infer<typeof Alternative>;

export type EventPattern = { readonly [key: string]: readonly Alternative[] | EventPattern };
export const EventPattern: z.ZodType<EventPattern> = z.lazy(() =>
  z.record(z.string(), z.union([z.array(Alternative).min(1), EventPattern])).refine((p) => Object.keys(p).length > 0, 'empty pattern object'),
);

const matchesAlternative = (alternative: Alternative, value: unknown): boolean => {
  if (alternative !== null && typeof alternative === 'object') {
    if (typeof value !== 'string') return false;
    return 'prefix' in alternative ? value.startsWith(alternative.prefix) : value.endsWith(alternative.suffix);
  }
  // An array field matches when any of its elements does.
  if (Array.isArray(value)) return value.some((element) => matchesAlternative(alternative, element));
  return value === alternative;
};

export const matchesPattern = (pattern: EventPattern, event: unknown): boolean => {
  if (typeof event !== 'object' || event === null) return false;
  const record = event as Record<string, unknown>;
  return Object.entries(pattern).every(([key, rule]) =>
    Array.isArray(rule)
      ? (rule as readonly Alternative[]).some((alternative) => matchesAlternative(alternative, record[key]))
      : matchesPattern(rule as EventPattern, record[key]),
  );
};

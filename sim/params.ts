import { SimApiError, invalidParameter, missingParameter } from './sim-errors';

/** The business parameters of one request, as the wire carried them (all strings). */
export type Params = Readonly<Record<string, string>>;

export const required = (params: Params, name: string): string => {
  const value = params[name];
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
};

export const optional = (params: Params, name: string): string | undefined => {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
};

export const booleanParam = (params: Params, name: string): boolean | undefined => {
  const value = optional(params, name);
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidParameter(name, 'expected true or false');
};

export const integerParam = (params: Params, name: string, fallback: number): number => {
  const value = optional(params, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw invalidParameter(name, 'expected an integer');
  return Number(value);
};

/**
 * Reads a flattened list such as `Tag.1.Key` / `Tag.1.Value` into ordered entries. N runs from 1
 * and at most `max`; the keys of each entry are whatever follows `Prefix.N.`.
 */
export const repeatList = (params: Params, prefix: string, max: number, countCode: string): Array<Record<string, string>> => {
  const byIndex = new Map<number, Record<string, string>>();
  const pattern = new RegExp(`^${prefix}\\.(\\d+)\\.(\\w+)$`);
  for (const [key, value] of Object.entries(params)) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    if (index < 1 || index > max) {
      throw new SimApiError(400, countCode, `The number of ${prefix} entries must be between 1 and ${max} (got index ${index}).`);
    }
    const entry = byIndex.get(index) ?? {};
    entry[match[2] ?? ''] = value;
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
};

export const tagEntries = (params: Params): Array<readonly [string, string | undefined]> =>
  repeatList(params, 'Tag', 20, 'InvalidTagCount').map((entry) => {
    const key = entry.Key;
    if (key === undefined || key === '') throw new SimApiError(400, 'InvalidTagKey.Malformed', 'Tag.N.Key is required when Tag.N is given.');
    return [key, entry.Value] as const;
  });

/** A flattened scalar list such as `AddAccount.1`, `AddAccount.2`, in index order. */
export const indexedValues = (params: Params, prefix: string): Array<{ readonly index: number; readonly value: string }> => {
  const pattern = new RegExp(`^${prefix}\\.(\\d+)$`);
  const found: Array<{ index: number; value: string }> = [];
  for (const [key, value] of Object.entries(params)) {
    const match = pattern.exec(key);
    if (match && value !== '') found.push({ index: Number(match[1]), value });
  }
  return found.sort((a, b) => a.index - b.index);
};

/** A scalar list whose N runs from 1 to `max`; an index outside that is answered with `countCode`. */
export const scalarList = (params: Params, prefix: string, max: number, countCode: string, status = 400): string[] => {
  const entries = indexedValues(params, prefix);
  for (const { index } of entries) {
    if (index < 1 || index > max) {
      throw new SimApiError(status, countCode, `The number of ${prefix} entries must be between 1 and ${max} (got index ${index}).`);
    }
  }
  return entries.map((e) => e.value);
};

/** A JSON array of ids in one parameter (`["s-1","s-2"]`), as DescribeSnapshots and DescribeInstances take them. */
export const jsonIdList = (params: Params, name: string, max: number, malformedCode: string): string[] | undefined => {
  const raw = optional(params, name);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((id): id is string => typeof id === 'string') || parsed.length > max) {
    throw new SimApiError(400, malformedCode, `The specified ${name} is not a JSON array of at most ${max} ids.`);
  }
  return parsed;
};

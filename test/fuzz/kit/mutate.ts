import type { FuzzRandom } from './random';

export type Path = readonly (string | number)[];

export interface Mutated {
  readonly value: unknown;
  /** What was done, in order: printed with a failing case. */
  readonly steps: readonly string[];
  /** The paths touched, so a check can expect an error to name one of them. */
  readonly paths: readonly Path[];
}

/** A nesting bomb kept symbolic: building it as objects would overflow our own stack first. */
export class DeepNest {
  constructor(
    readonly depth: number,
    readonly leaf: unknown,
  ) {}
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

const MARK = '@@fuzz-deep-nest@@';

/** JSON text of a generated value, nesting bombs written out as text. */
export const toJsonText = (value: unknown): string => {
  const bombs: DeepNest[] = [];
  const text =
    JSON.stringify(value, (_key, item: unknown) => {
      if (!(item instanceof DeepNest)) return item;
      bombs.push(item);
      return `${MARK}${bombs.length - 1}`;
    }) ?? '';
  return text.replace(new RegExp(`"${MARK}(\\d+)"`, 'g'), (_match, index: string) => {
    const bomb = bombs[Number(index)]!;
    return `${'{"nested":'.repeat(bomb.depth)}${JSON.stringify(bomb.leaf) ?? 'null'}${'}'.repeat(bomb.depth)}`;
  });
};

/** Every path in a JSON value down to a depth (nested-bomb mutations are not walked), the root included. */
export const pathsOf = (value: unknown, prefix: Path = []): Path[] => {
  if (prefix.length >= 12) return [prefix];
  const children = Array.isArray(value)
    ? value.flatMap((item, index) => pathsOf(item, [...prefix, index]))
    : isRecord(value)
      ? Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...prefix, key]))
      : [];
  return [prefix, ...children];
};

const getAt = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>((node, key) => (node === null || typeof node !== 'object' ? undefined : (node as Record<string | number, unknown>)[key]), value);

/** A copy of `root` with the node at `path` replaced (or removed when `next` is REMOVE). */
const REMOVE = Symbol('remove');
const setAt = (root: unknown, path: Path, next: unknown): unknown => {
  if (path.length === 0) return next === REMOVE ? undefined : next;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...(root as unknown[])];
    const child = setAt(copy[head as number], rest, next);
    if (rest.length === 0 && next === REMOVE) copy.splice(head as number, 1);
    else copy[head as number] = child;
    return copy;
  }
  if (isRecord(root)) {
    const copy: Record<string, unknown> = { ...root };
    if (rest.length === 0 && next === REMOVE) delete copy[head as string];
    else copy[head as string] = setAt(copy[head as string], rest, next);
    return copy;
  }
  return root;
};

const renameAt = (root: unknown, path: Path, name: string): unknown => {
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  const parent = getAt(root, parentPath);
  if (!isRecord(parent) || typeof key !== 'string') return root;
  const renamed = Object.fromEntries(Object.entries(parent).map(([k, v]) => [k === key ? name : k, v]));
  return setAt(root, parentPath, renamed);
};

export const UNICODE_SAMPLES = [
  'Ünïcödé-名前-🚀',
  '\u202Eevil\u202C',
  '\u0000nul',
  '\uD800lone-surrogate',
  'zero\u200Bwidth',
  'ﬁ ligature Å',
  '\r\n\t',
  '<script>alert(1)</script>',
  "'; DROP TABLE jobs; --",
  '${process.env.SECRET}',
  '{sourceName}{sourceName}',
  '%00%2e%2e%2f',
] as const;

/** Values at the edges of what a field might accept. */
export const BOUNDARY_VALUES: readonly unknown[] = [
  0, -1, 1.5, 1e21, -0, Number.MAX_SAFE_INTEGER + 2, '', ' ', '0', '1', 'true', 'null', '0s', '-5m', '1e3', '99999999999999999999d',
  [], {}, [null], true, false, 'a'.repeat(300),
];

const deeplyNested = (depth: number, leaf: unknown): unknown => new DeepNest(depth, leaf instanceof DeepNest ? 1 : leaf);

const retype = (random: FuzzRandom, value: unknown): { value: unknown; step: string } => {
  if (typeof value === 'number') return random.chance(0.5) ? { value: String(value), step: 'number as string' } : { value: [value], step: 'number in an array' };
  if (typeof value === 'string') {
    const asNumber = Number(value);
    return !Number.isNaN(asNumber) && value.trim() !== '' && random.chance(0.5)
      ? { value: asNumber, step: 'numeric string as number' }
      : { value: random.pick([42, true, [value], { value }]), step: 'string retyped' };
  }
  if (typeof value === 'boolean') return { value: random.pick([String(value), 1, 0, 'yes']), step: 'boolean retyped' };
  if (Array.isArray(value)) return { value: random.pick([{ ...value }, value[0] ?? 'x', JSON.stringify(value)]), step: 'array retyped' };
  if (isRecord(value)) return { value: random.pick([[value], Object.values(value), JSON.stringify(value), 'object']), step: 'object retyped (array where an object belongs, or text)' };
  return { value: random.pick(['null', 0, {}]), step: 'null retyped' };
};

export interface MutateOptions {
  /** Depths for the deep-nesting mutation. */
  readonly depths?: readonly number[];
  /** Field names worth injecting (unknown keys, prototype names). */
  readonly extraKeys?: readonly string[];
}

/** One structural mutation at a random path. */
export const mutateOnce = (random: FuzzRandom, root: unknown, options: MutateOptions = {}): { value: unknown; step: string; path: Path } => {
  const path = random.pick(pathsOf(root));
  const current = getAt(root, path);
  const where = path.length === 0 ? '(root)' : path.join('.');
  const op = random.int(0, 11);
  switch (op) {
    case 0:
      return path.length === 0 ? { value: undefined, step: 'root removed', path } : { value: setAt(root, path, REMOVE), step: `dropped ${where}`, path };
    case 1: {
      const last = path[path.length - 1];
      if (typeof last !== 'string') break;
      const name = random.pick([`${last}_`, last.toUpperCase(), last.toLowerCase() === last ? `${last}Id` : last.toLowerCase(), ` ${last}`]);
      return { value: renameAt(root, path, name), step: `renamed ${where} to ${JSON.stringify(name)}`, path };
    }
    case 2: {
      const { value, step } = retype(random, current);
      return { value: setAt(root, path, value), step: `${step} at ${where}`, path };
    }
    case 3:
      return { value: setAt(root, path, null), step: `null at ${where}`, path };
    case 4:
      return { value: setAt(root, path, 'x'.repeat(random.pick([1_000, 70_000, 300_000]))), step: `huge string at ${where}`, path };
    case 5:
      return { value: setAt(root, path, random.pick(UNICODE_SAMPLES)), step: `unicode at ${where}`, path };
    case 6:
      return { value: setAt(root, path, random.chance(0.5) ? { value: current } : [current]), step: `wrong nesting at ${where}`, path };
    case 7: {
      const depth = random.pick(options.depths ?? [30, 400, 8_000]);
      return { value: setAt(root, path, deeplyNested(depth, current ?? 1)), step: `nested ${depth} deep at ${where}`, path };
    }
    case 8: {
      if (!isRecord(current)) break;
      const key = random.pick(options.extraKeys ?? ['extra', 'constructor', '__proto__', 'toString', '']);
      return { value: setAt(root, path, { ...current, [key]: random.pick(BOUNDARY_VALUES) }), step: `unknown key ${JSON.stringify(key)} in ${where}`, path: [...path, key] };
    }
    case 9: {
      const boundary = random.pick(BOUNDARY_VALUES);
      return { value: setAt(root, path, boundary), step: `boundary ${JSON.stringify(boundary)?.slice(0, 40)} at ${where}`, path };
    }
    case 10: {
      if (!Array.isArray(current)) break;
      const variant = random.pick(['empty', 'doubled', 'bad item']);
      const next = variant === 'empty' ? [] : variant === 'doubled' ? [...current, ...current] : [...current, random.pick([null, 7, 'x', []])];
      return { value: setAt(root, path, next), step: `array ${variant} at ${where}`, path };
    }
    default:
      break;
  }
  return { value: setAt(root, path, undefined), step: `undefined at ${where}`, path };
};

/** One to `max` structural mutations in a row. */
export const mutate = (random: FuzzRandom, root: unknown, max = 3, options: MutateOptions = {}): Mutated => {
  let value = root;
  const steps: string[] = [];
  const paths: Path[] = [];
  const times = random.int(1, max);
  for (let i = 0; i < times; i += 1) {
    const next = mutateOnce(random, value, options);
    value = next.value;
    steps.push(next.step);
    paths.push(next.path);
  }
  return { value, steps, paths };
};

/** Damage to a serialised text: what a broken producer or a truncating transport does. */
export const mutateText = (random: FuzzRandom, text: string): { text: string; step: string } => {
  switch (random.int(0, 7)) {
    case 0: {
      const at = random.int(0, Math.max(0, text.length - 1));
      return { text: text.slice(0, at), step: `truncated at ${at}` };
    }
    case 1:
      return { text: Buffer.from(random.string(random.int(1, 200), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=')).toString(), step: 'base64 garbage' };
    case 2: {
      const at = random.int(0, text.length);
      const junk = random.pick(['"', '}', ']', ',', '\u0000', '\\', '\uFFFD', '{{']);
      return { text: text.slice(0, at) + junk + text.slice(at), step: `inserted ${JSON.stringify(junk)} at ${at}` };
    }
    case 3:
      return { text: `\uFEFF${text}`, step: 'byte-order mark' };
    case 4:
      return { text: random.pick(['', ' ', '\n', 'null', 'undefined', '0', '"text"', '[]', '{}']), step: 'replaced by a bare value' };
    case 5:
      return { text: `<html><body><h1>502 Bad Gateway</h1></body></html>`, step: 'an HTML page' };
    case 6:
      return { text: Buffer.from(text).toString('base64').slice(0, random.int(1, 64)), step: 'truncated base64 of the text' };
    default:
      return { text: text + text, step: 'doubled' };
  }
};

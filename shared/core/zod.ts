/**
 * The schema library of everything that goes into a function bundle: zod/mini, the functional
 * build of zod (`z.optional(z.string().check(z.maxLength(8)))` for `z.string().max(8).optional()`).
 * Its schemas carry no methods, so a bundle holds only the parts of zod it uses and a cold start
 * has less to load and build. Import it as a namespace, `import * as z from '<path>/core/zod'`, so
 * that the bundler keeps what is read; read `z.core` for types only, since a value taken through
 * it keeps all of zod's core in the bundle.
 *
 * What zod/mini leaves out and classic zod gave, so that parsing answers exactly as before:
 * - English messages: zod/mini registers no locale (classic zod registers English itself), so
 *   loading this module does, before anything can parse. English is the only locale a bundle
 *   holds (scripts/build.ts).
 * - `z.parse` and `z.safeParse` fail with a `ZodError` (named so, an instance of classic zod's
 *   ZodError too), as classic zod's did: logs and `cause` chains read as before.
 * - A transform's context has `addIssue`, as classic zod's has; `z.preprocess` is a transform
 *   piped into a schema, as in classic zod.
 * - Objects parse through zod's compiled path, as classic zod's do (see `object`).
 */
import { $constructor, $ZodError, $ZodObjectJIT, _parse, _safeParse } from 'zod/v4/core';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';

/** The error a failed parse throws or answers: classic zod's, without its deprecated helpers. */
export type ZodError<T = unknown> = z.core.$ZodError<T>;
export const ZodError: z.core.$constructor<ZodError> = $constructor(
  'ZodError',
  (inst, issues) => {
    $ZodError.init(inst, issues);
    inst.name = 'ZodError';
  },
  undefined,
  { Parent: Error },
);

/** Answers the parsed value or throws a ZodError. */
export const parse: z.core.$Parse = _parse(ZodError);
/** Answers `{ success: true, data }` or `{ success: false, error }`, the error a ZodError. */
export const safeParse: z.core.$SafeParse = _safeParse(ZodError);

/** What a transform is given besides its input: the payload, with classic zod's `addIssue`. */
export type TransformContext<O = unknown> = z.core.$RefinementCtx<O>;

/**
 * A transform whose context can report issues (`ctx.addIssue(...)`, then `return z.NEVER`),
 * as classic zod's transforms can; zod/mini's own passes the bare payload.
 */
export const transform = <I = unknown, O = I>(fn: (input: I, ctx: TransformContext<O>) => O): z.ZodMiniTransform<Awaited<O>, I> => {
  const schema: z.ZodMiniTransform<Awaited<O>, I> = z.transform<I, O>((input, payload) => {
    const ctx = payload as unknown as TransformContext<O>;
    ctx.addIssue = (issue) => {
      // What zod's util.issue makes of it, spelled out: the rest of util is not worth a bundle's load.
      if (typeof issue === 'string') {
        // Classic zod hands the transform's def where the issue's schema goes; no message is looked up there.
        payload.issues.push({ message: issue, code: 'custom', input: payload.value, inst: schema._zod.def as unknown as z.core.$ZodType });
        return;
      }
      // As classic zod: the issue is completed in place; a fatal one stops the parse.
      const raw = issue as { fatal?: boolean; continue?: boolean; code?: string; input?: unknown; inst?: unknown };
      if (raw.fatal === true) raw.continue = false;
      raw.code ??= 'custom';
      if (!('input' in raw)) raw.input = payload.value;
      raw.inst ??= schema;
      payload.issues.push({ ...(raw as z.core.$ZodRawIssue) });
    };
    return fn(input, ctx);
  });
  return schema;
};

/** Runs `fn` on the input before `schema` parses it. */
export const preprocess = <A, U extends z.core.SomeType, B = unknown>(
  fn: (input: B, ctx: TransformContext) => A,
  schema: U,
): z.ZodMiniPipe<z.ZodMiniTransform<A, B>, U> =>
  z.pipe(transform(fn), schema as unknown as z.core.$ZodType<unknown, Awaited<A>>) as unknown as z.ZodMiniPipe<z.ZodMiniTransform<A, B>, U>;

/**
 * zod/mini's objects, parsed through zod's compiled path (`$ZodObjectJIT`, what classic zod's
 * objects use) instead of a loop over their keys: the same checks and issues, compiled at an
 * object's first parse, not at load. With the loop, a poll pass over 20,000 stored jobs took a
 * third longer, and the local runtime's busiest passes twice as long.
 */
const miniType: typeof z.ZodMiniType = z.ZodMiniType;
const ZodMiniObjectJIT = $constructor('ZodMiniObject', (inst: z.ZodMiniObject, def: z.ZodMiniObject['_zod']['def']) => {
  $ZodObjectJIT.init(inst, def);
  miniType.init(inst, def);
  Object.defineProperty(inst, 'shape', { configurable: true, enumerable: false, get: () => def.shape });
});
const compiled = <T extends z.ZodMiniObject>(schema: T): T => new ZodMiniObjectJIT(schema._zod.def) as unknown as T;

export const object: typeof z.object = (shape, params) => compiled(z.object(shape, params));
export const strictObject: typeof z.strictObject = (shape, params) => compiled(z.strictObject(shape, params));
export const looseObject: typeof z.looseObject = (shape, params) => compiled(z.looseObject(shape, params));

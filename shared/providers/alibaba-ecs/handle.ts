import * as z from '../../core/zod';

/**
 * What the Alibaba provider keeps on a job to find its copy again. A one-step CopyImage copy is
 * its image id (as stored by every earlier version); a copy through snapshots is a small JSON
 * document: the disks with their source and destination snapshots, the attributes the image must
 * be created with, the job attempt's token, and the image once created.
 */
export const ROUTE_COPY_IMAGE = 'copy-image';
export const ROUTE_SNAPSHOTS = 'snapshots';

const disk = z.tuple([
  z.string().check(z.regex(/^\/dev\/[a-z0-9]{1,16}$/)), // device
  z.enum(['system', 'data']),
  z.number().check(z.int(), z.positive()), // size GiB
  z.string().check(z.minLength(1), z.maxLength(64)), // source snapshot
  z.string().check(z.minLength(1), z.maxLength(64)), // destination snapshot
]);

const SnapshotHandle = z.strictObject({
  v: z.literal(1),
  r: z.literal('snap'),
  /** The job attempt's token: CreateImage takes `<t>-img`. */
  t: z.string().check(z.minLength(1), z.maxLength(60)),
  d: z.array(disk).check(z.minLength(1), z.maxLength(17)),
  a: z.strictObject({
    p: z.optional(z.string().check(z.maxLength(64))),
    a: z.optional(z.string().check(z.maxLength(16))),
    b: z.optional(z.string().check(z.maxLength(16))),
    f: z.optional(z.string().check(z.maxLength(128))),
  }),
  i: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
export type SnapshotHandle = z.infer<typeof SnapshotHandle>;
export type SnapshotDisk = z.infer<typeof disk>;

export type AlibabaHandle = { readonly route: typeof ROUTE_COPY_IMAGE; readonly imageId: string } | { readonly route: typeof ROUTE_SNAPSHOTS; readonly snapshot: SnapshotHandle };

/** Reads a handle; a malformed one is treated as a copy with no image (observed missing), never as a crash. */
export const parseHandle = (handle: string): AlibabaHandle | undefined => {
  if (!handle.startsWith('{')) return handle === '' ? undefined : { route: ROUTE_COPY_IMAGE, imageId: handle };
  try {
    const parsed = z.safeParse(SnapshotHandle, JSON.parse(handle));
    return parsed.success ? { route: ROUTE_SNAPSHOTS, snapshot: parsed.data } : undefined;
  } catch {
    return undefined;
  }
};

export const snapshotHandle = (handle: SnapshotHandle): string => JSON.stringify(z.parse(SnapshotHandle, handle));

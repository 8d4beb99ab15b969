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

/**
 * A one-step copy about to be deleted: its image and the snapshots it holds, read before
 * DeleteImage (which leaves them, and after which nothing names them).
 */
const DeletionHandle = z.strictObject({
  v: z.literal(1),
  r: z.literal('img'),
  i: z.string().check(z.minLength(1), z.maxLength(64)),
  s: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(17)),
});

export type AlibabaHandle =
  | { readonly route: typeof ROUTE_COPY_IMAGE; readonly imageId: string; readonly snapshots?: readonly string[] | undefined }
  | { readonly route: typeof ROUTE_SNAPSHOTS; readonly snapshot: SnapshotHandle };

/** Reads a handle; a malformed one is treated as a copy with no image (observed missing), never as a crash. */
export const parseHandle = (handle: string): AlibabaHandle | undefined => {
  if (!handle.startsWith('{')) return handle === '' ? undefined : { route: ROUTE_COPY_IMAGE, imageId: handle };
  try {
    const json: unknown = JSON.parse(handle);
    const snapshot = z.safeParse(SnapshotHandle, json);
    if (snapshot.success) return { route: ROUTE_SNAPSHOTS, snapshot: snapshot.data };
    const deletion = z.safeParse(DeletionHandle, json);
    return deletion.success ? { route: ROUTE_COPY_IMAGE, imageId: deletion.data.i, snapshots: deletion.data.s } : undefined;
  } catch {
    return undefined;
  }
};

/** A one-step copy's handle that also names its snapshots (see DeletionHandle). */
export const deletionHandle = (imageId: string, snapshots: readonly string[]): string => JSON.stringify(z.parse(DeletionHandle, { v: 1, r: 'img', i: imageId, s: [...snapshots] }));

export const snapshotHandle = (handle: SnapshotHandle): string => JSON.stringify(z.parse(SnapshotHandle, handle));

/**
 * What start-copy is asked to do, whatever carried the request (a timer, an ActionTrail event, a
 * queue message, the CLI). The platform edge decodes its envelopes into these; the use cases never
 * see an envelope.
 */
export type StartCopyCommand =
  /** The nightly sweep: every policy's source region. */
  | { readonly kind: 'sweep' }
  /** A new image appeared in a region; without an id, the region is swept. */
  | { readonly kind: 'image-created'; readonly origin: string; readonly region: string; readonly imageId?: string | undefined }
  /** Somebody asked for one image, optionally through one policy. */
  | { readonly kind: 'replicate'; readonly origin: string; readonly region: string; readonly imageId: string; readonly policy?: string | undefined }
  /** Capacity may have freed up: start what can start (in these source regions, or all). */
  | { readonly kind: 'dispatch'; readonly reason: string; readonly regions?: readonly string[] | undefined };

export type StartCopyCommandKind = StartCopyCommand['kind'];

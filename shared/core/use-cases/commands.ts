import type { ProviderId } from '../domain/provider';

/** A provider account, optionally narrowed to some of its source regions. */
export interface DispatchScope {
  readonly provider: ProviderId;
  readonly account: string;
  readonly regions?: readonly string[] | undefined;
}

/**
 * What start-copy is asked to do, whatever carried the request (a timer, an ActionTrail event, a
 * queue message, the CLI). The platform edge decodes its envelopes into these; the use cases never
 * see an envelope.
 */
export type StartCopyCommand =
  /** The nightly sweep: every policy's source region. */
  | { readonly kind: 'sweep' }
  /** A new image appeared in a region; without an id, the region is swept. */
  | {
      readonly kind: 'image-created';
      readonly origin: string;
      readonly provider: ProviderId;
      readonly account: string;
      readonly region: string;
      readonly imageId?: string | undefined;
    }
  /** Somebody asked for one image, optionally through one policy. */
  | {
      readonly kind: 'replicate';
      readonly origin: string;
      readonly provider: ProviderId;
      readonly account: string;
      readonly region: string;
      readonly imageId: string;
      readonly policy?: string | undefined;
    }
  /** Capacity may have freed up: start what can start (in these scopes, or all). */
  | { readonly kind: 'dispatch'; readonly reason: string; readonly scopes?: readonly DispatchScope[] | undefined };

export type StartCopyCommandKind = StartCopyCommand['kind'];

import type { FaultController } from '../../faults';
import type { ImsSimState } from '../state';

/** What a route gets: the settled state, the region and project the request is for, its parts. */
export interface RouteContext {
  readonly state: ImsSimState;
  readonly faults: FaultController;
  readonly region: string;
  /** X-Project-Id, already checked to be the region's project. */
  readonly projectId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Parsed JSON, or undefined when there was no body. */
  readonly body: unknown;
}

export interface RouteAnswer {
  readonly status: number;
  readonly body?: unknown;
}

export interface Route {
  /** The SDK's operation name: the key of fault rates and of the request log. */
  readonly action: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Matched against the API path (after any region prefix); named groups become params. */
  readonly pattern: RegExp;
  handle(context: RouteContext): RouteAnswer;
}

/** The first value of a query parameter. */
export const queryValue = (context: RouteContext, name: string): string | undefined => context.query.find(([key]) => key === name)?.[1];

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

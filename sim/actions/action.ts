import type { FaultController } from '../faults';
import type { Params } from '../params';
import type { SimState } from '../state';

export interface ActionContext {
  readonly state: SimState;
  readonly params: Params;
  readonly faults: FaultController;
}

/** One API action: the answer's body without RequestId, or a thrown SimApiError. */
export type ActionHandler = (context: ActionContext) => Record<string, unknown>;

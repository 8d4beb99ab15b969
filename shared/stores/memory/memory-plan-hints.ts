import type { PlanHints } from '../../core/ports/plan-hints';

/** Ids kept at most: a joint schedule covers a few hundred copies (source-choice). */
const MAX_IDS = 2_000;

/**
 * The hint in this process's memory: on Function Compute, for as long as the instance stays warm
 * (the dispatching function runs at every event and queued request); a cold instance starts its
 * search from the images' own plans.
 */
export const createMemoryPlanHints = (): PlanHints => {
  let order: readonly string[] | undefined;
  return {
    read: () => order,
    write: (next) => {
      order = next.slice(0, MAX_IDS);
    },
  };
};

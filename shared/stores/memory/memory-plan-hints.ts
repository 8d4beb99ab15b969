import type { PlanHints } from '../../core/ports/plan-hints';

/** Ids kept at most per key: a joint schedule covers at most 1,000 copies (source-choice). */
const MAX_IDS = 2_000;
/** Keys kept at most: the kinds of pass an instance runs (all accounts, or a few regions). */
const MAX_KEYS = 16;

/**
 * The hints in this process's memory: on Function Compute, for as long as the instance stays warm
 * (the dispatching function runs at every event and queued request); a cold instance starts its
 * search from the images' own plans. The key written last is kept longest.
 */
export const createMemoryPlanHints = (): PlanHints => {
  const orders = new Map<string, readonly string[]>();
  return {
    read: (key) => orders.get(key),
    write: (key, order) => {
      orders.delete(key);
      orders.set(key, order.slice(0, MAX_IDS));
      for (const oldest of orders.keys()) {
        if (orders.size <= MAX_KEYS) break;
        orders.delete(oldest);
      }
    },
  };
};

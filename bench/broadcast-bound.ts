/**
 * The least time one image takes to reach every destination when nothing else runs: the source
 * and each replica run one copy of it at a time (the simulator's one active copy per source
 * image; a replica is an image of its own), a copy starts once its source holds the image, and
 * copies from one holder run one after another. No scheduler sharing slots with other images can
 * do better, so release + this is a lower bound per image (the `broadcast` part).
 *
 * Solved exactly by depth-first search over schedules in which every copy starts as soon as its
 * source is free (an idle gap never helps when nothing else competes), taken in order of start,
 * so each schedule is met once; a branch is cut when even its best completion cannot beat the
 * best schedule found. Kept apart from the product's planner on purpose: a bound that shared the
 * product's code would grade its own homework.
 */
export const broadcastSeconds = (source: string, destinations: readonly string[], copySeconds: (from: string, to: string) => number): number => {
  const regions = [source, ...destinations];
  const into = new Map(destinations.map((to) => [to, Math.min(...regions.filter((from) => from !== to).map((from) => copySeconds(from, to)))]));
  /** When each holder can start its next copy. */
  const freeAt = new Map<string, number>([[source, 0]]);
  const pending = new Set(destinations);
  let best = Number.POSITIVE_INFINITY;

  const search = (lastStart: number, makespan: number): void => {
    if (pending.size === 0) {
      best = Math.min(best, makespan);
      return;
    }
    // Every pending region still needs a copy that starts no earlier than the earliest free holder.
    const earliest = Math.min(...freeAt.values());
    let floor = makespan;
    for (const to of pending) floor = Math.max(floor, Math.max(earliest, lastStart) + (into.get(to) ?? 0));
    if (floor >= best) return;
    for (const to of [...pending]) {
      for (const [from, free] of [...freeAt]) {
        const start = free;
        if (start < lastStart) continue;
        const end = start + copySeconds(from, to);
        if (Math.max(makespan, end) >= best) continue;
        pending.delete(to);
        freeAt.set(from, end);
        freeAt.set(to, end);
        search(start, Math.max(makespan, end));
        freeAt.delete(to);
        freeAt.set(from, free);
        pending.add(to);
      }
    }
  };
  search(0, 0);
  return best;
};

/**
 * A lower bound on the makespan of a fan-out: no scheduler, however clever, finishes sooner under
 * the limits the simulator enforces (read from sim/copy-scheduler.ts and sim/actions/copy-image.ts):
 *
 *   - at most `slotsPerRegion` (5) copies run at once out of one source region;
 *   - at most one copy runs at once out of one source image. A replica is an image of its own:
 *     once a copy is available it may be copied from (relay), out of its region's slots.
 *
 * Relaying breaks the old per-image serial bound (copy time × destinations): ten replicas copy
 * in parallel. Every part below holds with relaying, for schedulers that make only the copies
 * asked for (destinations of the policy, at most one per image and region). Times are seconds
 * from the start of the run; image i exists (is Available at the source) from r_i; d_i(u, v) is
 * the copy time of image i from region u to v; S the source region; D the destinations, k = |D|.
 *
 *   path        max over i, v in D:  r_i + (shortest chain of copies S → … → v under d_i)
 *               every copy in v descends from the source through copies that end one by one.
 *   doubling    max over i:  r_i + ceil(log2(k + 1)) · min_{u, v} d_i(u, v)
 *               each holder of image i (source or replica) runs one copy of it at a time and a
 *               copy takes at least the shortest d_i, so the holders at most double per that time.
 *   source      max over t in {r_i}:  t + Σ_{i: r_i ≥ t} min_{v in D} d_i(S, v) / slots
 *               every image leaves the source region at least once, in its `slots`, after r_i.
 *   capacity    max over t in {r_i}:  t + Σ_{i: r_i ≥ t} Σ_{v in D} min_{u ≠ v} d_i(u, v) / (slots · (k + 1))
 *               total work over the slots of every region that can ever hold a replica.
 *
 *   broadcast   max over i:  r_i + the shortest schedule of image i's copies alone, each holder running
 *               one copy at a time (bench/broadcast-bound.ts, solved exactly): the two above
 *               together, and tighter, since a holder's copies to far regions queue one behind another.
 *
 *   lower bound = max(path, doubling, source, capacity, broadcast)
 *
 * The bound is of the provider-side work only; when the product learns of a finished copy (by
 * polling) is exactly what a ratio above 1 shows.
 */
import { broadcastSeconds } from './broadcast-bound';

export interface ReleasedImage {
  /** When the image became Available at the source, seconds from the start of the run. */
  readonly releaseSeconds: number;
  readonly sizeGiB: number;
}

export interface FanOutProblem {
  readonly images: readonly ReleasedImage[];
  readonly source: string;
  readonly destinations: readonly string[];
  readonly slotsPerRegion: number;
  /** Seconds one copy of `sizeGiB` takes from one region to another. */
  readonly copySeconds: (sizeGiB: number, from: string, to: string) => number;
}

export interface LowerBoundParts {
  readonly path: number;
  readonly doubling: number;
  readonly source: number;
  readonly capacity: number;
  readonly broadcast: number;
}

export interface LowerBound {
  readonly seconds: number;
  readonly parts: LowerBoundParts;
  /** The part that gives the bound. */
  readonly binding: keyof LowerBoundParts;
  /** Copy time of every copy made from its fastest possible source: the least work any schedule does. */
  readonly cheapestWorkSeconds: number;
}

/** Shortest chain of copies from the source to each destination (Dijkstra on a handful of regions). */
const shortestChains = (problem: FanOutProblem, sizeGiB: number): Map<string, number> => {
  const nodes = [problem.source, ...problem.destinations];
  const best = new Map<string, number>(nodes.map((node) => [node, node === problem.source ? 0 : Number.POSITIVE_INFINITY]));
  const done = new Set<string>();
  while (done.size < nodes.length) {
    const next = nodes.filter((node) => !done.has(node)).reduce((a, b) => ((best.get(a) ?? Infinity) <= (best.get(b) ?? Infinity) ? a : b));
    done.add(next);
    const from = best.get(next) ?? Number.POSITIVE_INFINITY;
    for (const to of problem.destinations) {
      if (done.has(to)) continue;
      const through = from + problem.copySeconds(sizeGiB, next, to);
      if (through < (best.get(to) ?? Infinity)) best.set(to, through);
    }
  }
  return best;
};

/** max over thresholds t in the release times of t + (work of the images released at or after t) / capacity. */
const releaseBound = (images: readonly ReleasedImage[], work: (image: ReleasedImage) => number, capacity: number): number => {
  const byRelease = [...images].sort((a, b) => b.releaseSeconds - a.releaseSeconds);
  let bound = 0;
  let later = 0;
  for (const image of byRelease) {
    later += work(image);
    bound = Math.max(bound, image.releaseSeconds + later / capacity);
  }
  return bound;
};

export const fanOutLowerBound = (problem: FanOutProblem): LowerBound => {
  const { images, source, destinations, slotsPerRegion, copySeconds } = problem;
  if (images.length === 0 || destinations.length === 0) throw new RangeError('a fan-out needs images and destinations');
  if (destinations.includes(source)) throw new RangeError('the source is not a destination');
  const nodes = [source, ...destinations];
  const cheapestInto = (sizeGiB: number, to: string): number =>
    Math.min(...nodes.filter((from) => from !== to).map((from) => copySeconds(sizeGiB, from, to)));

  let path = 0;
  let doubling = 0;
  let broadcast = 0;
  const rounds = Math.ceil(Math.log2(destinations.length + 1));
  for (const image of images) {
    const chains = shortestChains(problem, image.sizeGiB);
    path = Math.max(path, image.releaseSeconds + Math.max(...destinations.map((to) => chains.get(to) ?? Infinity)));
    const shortestCopy = Math.min(...destinations.map((to) => cheapestInto(image.sizeGiB, to)));
    doubling = Math.max(doubling, image.releaseSeconds + rounds * shortestCopy);
    broadcast = Math.max(broadcast, image.releaseSeconds + broadcastSeconds(source, destinations, (from, to) => copySeconds(image.sizeGiB, from, to)));
  }
  const sourceBound = releaseBound(images, (image) => Math.min(...destinations.map((to) => copySeconds(image.sizeGiB, source, to))), slotsPerRegion);
  const cheapestWork = (image: ReleasedImage): number => destinations.reduce((sum, to) => sum + cheapestInto(image.sizeGiB, to), 0);
  const capacity = releaseBound(images, cheapestWork, slotsPerRegion * nodes.length);
  const parts: LowerBoundParts = { path, doubling, source: sourceBound, capacity, broadcast };
  const binding = (Object.keys(parts) as (keyof LowerBoundParts)[]).reduce((a, b) => (parts[a] >= parts[b] ? a : b));
  return { seconds: parts[binding], parts, binding, cheapestWorkSeconds: images.reduce((sum, image) => sum + cheapestWork(image), 0) };
};

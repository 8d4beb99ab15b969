import type { Prng } from '../../sim/prng';

/**
 * Copy times for seeded worlds: each link's time drawn from `random` the first time it is asked
 * (a whole number in [min, max]) and the same ever after; `symmetric`: one time for both directions.
 */
export const seededLinks = (random: Prng, min: number, max: number, symmetric = false): ((from: string, to: string) => number) => {
  const table = new Map<string, number>();
  return (from, to) => {
    const key = symmetric ? [from, to].sort().join('>') : `${from}>${to}`;
    let time = table.get(key);
    if (time === undefined) {
      time = Math.round(random.between(min, max));
      table.set(key, time);
    }
    return time;
  };
};

/**
 * mulberry32, one step: the next state and a number uniform in [0, 1). Small and seeded: the same
 * seed gives the same sequence, which the simulator's replays and the joint schedule's search
 * both rely on.
 */
export const mulberry32 = (state: number): { readonly state: number; readonly value: number } => {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296 };
};

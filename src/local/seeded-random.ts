// One seedable PRNG for everything generated (sample posts, bench texts, test and fuzz data): the same seed
// always gives the same numbers, so runs compare across days and machines.

/** mulberry32: small, fast, good enough for picking words and shapes; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Small seeded pseudo-random helpers. Simulations must replay exactly (a failing
 * test is only useful if it fails again), and XS's Math.random is a fixed
 * sequence shared by everything, so every random draw in simulators/ comes from here.
 */

/** mulberry32: a tiny 32-bit generator, good enough for noise and fault dice. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Stateless hash of (seed, index) to [0, 1). Used for lattice noise: the value at
 * lattice point n never depends on which other points were asked for first, so a
 * model gives the same reading at a given time however often it is polled.
 */
export function hashUnit(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Mix a string into a 32-bit seed (FNV-1a), e.g. to give every point its own stream. */
export function seedFromString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The MAC's randomness (channel choice, back-off jitter). Injected so a
 * simulated fleet replays exactly; XS's Math.random is a fixed sequence shared
 * by everything, so it is never used. On a device, seed from the radio's
 * wideband RSSI noise (SX127x RegRssiWideband) or a hardware RNG.
 */

/** splitmix32: small, fast, and every seed (even 0) gives a full-period stream. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return ((z ^ (z >>> 15)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomIndex(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

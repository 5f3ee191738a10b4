/**
 * Imperfect orthogonality of LoRa spreading factors: a packet at one SF is
 * lost under a simultaneous packet at another SF on the same channel when the
 * interferer is strong enough. The thresholds are the co-channel rejection
 * figures of Croce et al., "Impact of LoRa Imperfect Orthogonality: Analysis
 * of Link-Level Performance", IEEE Communications Letters 22(4), 2018,
 * Table I (125 kHz): the signal-to-interference ratio, dB, below which the
 * wanted packet (row) is lost to an interferer (column). For example a SF12
 * packet survives a SF7 interferer up to 25 dB stronger than itself, a SF7
 * packet only up to 9 dB.
 *
 * Same-SF collisions are not taken from the table (its diagonal, 1 dB, is a
 * noiseless link-level figure); the channel's capture threshold decides them.
 */

const FIRST_SF = 7;

/** Rows: wanted packet SF7…SF12; columns: interferer SF7…SF12 (dB; the diagonal is unused). */
export const CROCE_2018_SIR_DB: readonly (readonly number[])[] = [
  [1, -8, -9, -9, -9, -9],
  [-11, 1, -11, -12, -13, -13],
  [-15, -13, 1, -13, -14, -15],
  [-19, -18, -17, 1, -17, -18],
  [-22, -22, -21, -20, 1, -20],
  [-25, -25, -25, -24, -23, 1],
];

/**
 * The lowest signal-to-interference ratio, dB, at which a packet at `wantedSf`
 * survives an overlapping packet at `interfererSf` (a different SF, same
 * frequency and bandwidth). −Infinity when `orthogonal` is asked for or the
 * SFs are outside 7–12.
 */
export function interSfThresholdDb(wantedSf: number, interfererSf: number, model: InterSfModel = 'croce2018'): number {
  if (model === 'orthogonal') return -Infinity;
  return CROCE_2018_SIR_DB[wantedSf - FIRST_SF]?.[interfererSf - FIRST_SF] ?? -Infinity;
}

/** 'croce2018': the table above; 'orthogonal': SFs never interfere (the older, optimistic model). */
export type InterSfModel = 'croce2018' | 'orthogonal';

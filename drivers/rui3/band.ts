/** AT+BAND numbers of the RUI3 firmware for the regions our sites name. */
import type { RegionName } from '../lorawan/regions/index.js';

export const RUI3_BAND: Readonly<Record<RegionName, number>> = {
  CN470: 1,
  EU868: 4,
  US915: 5,
  /** AS923-1; the module also knows AS923-2…4 (bands 9-11). */
  AS923: 8,
};

export function regionOfBand(band: number): RegionName | undefined {
  return (Object.keys(RUI3_BAND) as RegionName[]).find((name) => RUI3_BAND[name] === band);
}

/** Regional parameters: `createRegion('EU868')` and friends. See README.md for the Region interface. */
import { LorawanRegionError } from '../errors.js';
import { createAs923, type As923Group } from './as923.js';
import { createCn470 } from './cn470.js';
import { createEu868 } from './eu868.js';
import type { Region, RegionName } from './types.js';
import { createUs915 } from './us915.js';

export type * from './types.js';
export { AS923_OFFSETS, type As923Group } from './as923.js';

export const REGION_NAMES: readonly RegionName[] = ['EU868', 'CN470', 'AS923', 'US915'];

export interface RegionOptions {
  /** AS923 only: which frequency group (AS923-1…4), default 1. */
  as923Group?: As923Group;
}

export function createRegion(name: RegionName, options: RegionOptions = {}): Region {
  switch (name) {
    case 'EU868':
      return createEu868();
    case 'CN470':
      return createCn470();
    case 'AS923':
      return createAs923(options.as923Group);
    case 'US915':
      return createUs915();
    default:
      throw new LorawanRegionError(String(name), 'is not a supported region', `use one of ${REGION_NAMES.join(', ')}`);
  }
}

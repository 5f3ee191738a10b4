/**
 * What a host config's RUI3 radio lacks to run a site's LoRaWAN uplink, and
 * the driver options it makes (used by host-config.ts and host-uplink.ts, so
 * check and run agree).
 */
import type { ManifestProblem } from '../../../sdk/manifest/manifest-error.js';
import type { Rui3RadioConfig } from './host-config.js';

export function rui3Problems(radio: Rui3RadioConfig, activation: 'otaa' | 'abp', file: string): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const add = (path: string, message: string, fix: string) => problems.push({ file, path, message, fix });
  if (activation !== 'otaa') add('$.radio', 'the site activates by ABP and the RUI3 driver joins by OTAA only', 'set uplink.activation to "otaa" in the site file and register the module\'s DevEUI, JoinEUI and AppKey with the network server');
  if (radio.appKey !== undefined && radio.appKeyFile !== undefined) add('$.radio', 'both appKey and appKeyFile are given', 'keep one of them');
  return problems;
}

/** The AppKey the module gets: inline, from its file, or none (the module's own). */
export function rui3AppKey(radio: Rui3RadioConfig, readSecret: (file: string, what: string) => string): string | undefined {
  return radio.appKeyFile === undefined ? radio.appKey : readSecret(radio.appKeyFile, 'RUI3 AppKey');
}

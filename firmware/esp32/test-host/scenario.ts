/** What a simulated run of the firmware sets up (harness.ts `setup`); apart so Node-side tools can name it without the harness. */
import type { SimulationSpec } from '../../../drivers/devices/manifest.js';

export interface Scenario {
  /** Per device, per point: simulation specs replacing the manifests' (a smoke alarm at minute 2). */
  models?: Record<string, Record<string, SimulationSpec>>;
  /** Modem simulator: time from attach request to attached, ms. */
  attachDelayMs?: number;
  /** Size of the littlefs partition mounted (default: partitions.csv's 0xF0000). */
  storageBytes?: number;
  /** Time.ticks at boot (default 0): start it near 2^31 or 2^32 ms to cross the sign flip or the wrap. */
  ticksAtBootMs?: number;
  /** False: the doubles and simulators count instead of keeping histories (long runs; see host.keepHistory). Default true. */
  keepHistory?: boolean;
}

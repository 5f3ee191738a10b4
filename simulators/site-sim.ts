/**
 * A whole site in virtual time: every bus of a SiteFile becomes an in-memory
 * line (bytes take their wire time on the clock) with that bus's simulated
 * devices on the far end (simulateBus). Hand `openPort` to the Gateway.
 * Options apply site-wide: `absent` and `models` name devices by site id.
 * Runtime-neutral: core tests run it inside XS.
 */
import type { BusConfig, SiteFile } from '../drivers/gateway/site.js';
import type { ByteStream } from '../drivers/ports/byte-stream.js';
import type { Clock } from '../drivers/ports/clock.js';
import type { ManifestLookup } from '../drivers/scheduler/site-device.js';
import type { DeviceSimulator } from './device-sim.js';
import { simulateBus, type SimulatedBus, type SimulatedDevicesOptions } from './simulated-bus.js';

/** A simulated site's buses by id, whatever simulates them (the byte-level wire here, register images in register-image.ts). */
export interface SiteSimulation<B> {
  /** The gateway end of a bus's line (the Gateway's `openPort`). */
  openPort(bus: BusConfig): ByteStream;
  buses: Map<string, B>;
  /** The simulator of a site device, to read or force its values. */
  simulator(deviceId: string): DeviceSimulator | undefined;
  close(): void;
}

/** Simulated buses (wire logs, connect/disconnect) by bus id. */
export type SimulatedSite = SiteSimulation<SimulatedBus>;

/** The site over its simulated buses: `portOf` gives a bus's gateway end. */
export function siteOver<B extends { simulators: Map<string, DeviceSimulator>; close(): void }>(buses: Map<string, B>, portOf: (bus: B) => ByteStream): SiteSimulation<B> {
  return {
    buses,
    openPort(bus) {
      const simulated = buses.get(bus.id);
      if (simulated === undefined) throw new RangeError(`the simulated site has no bus ${bus.id}`);
      return portOf(simulated);
    },
    simulator(deviceId) {
      for (const bus of buses.values()) {
        const simulator = bus.simulators.get(deviceId);
        if (simulator !== undefined) return simulator;
      }
      return undefined;
    },
    close() {
      for (const bus of buses.values()) bus.close();
    },
  };
}

export function simulateSite(site: SiteFile, manifests: ManifestLookup, clock: Clock, options: SimulatedDevicesOptions = {}): SimulatedSite {
  const buses = new Map<string, SimulatedBus>();
  for (const bus of site.buses) buses.set(bus.id, simulateBus(bus, manifests, clock, options));
  return siteOver(buses, (bus) => bus.gateway);
}

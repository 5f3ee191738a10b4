/**
 * The far side of the demo site on real serial ports: each `sim:` bus is a
 * socat pseudo-terminal pair; the simulated devices share one end through a
 * SharedBus (attachSimulatedDevices), as devices share an RS-485 pair, and the
 * gateway opens the other end with serialport's real bindings.
 */
import type { BusConfig, SiteFile } from '../../../drivers/gateway/site.js';
import type { Clock } from '../../../drivers/ports/clock.js';
import type { ManifestLookup } from '../../../drivers/scheduler/site-device.js';
import type { DeviceSimulator } from '../../../simulators/device-sim.js';
import { createPtyPair, type PtyPair } from '../../../simulators/pty.js';
import { attachSimulatedDevices, type SimulatedDevices } from '../../../simulators/simulated-bus.js';
import { openSerialStream, type SerialStream } from '../ports/serial-stream.js';

/** Node delivers pty bytes with scheduling jitter: frames end after 20 ms of silence, not 3.5 characters. */
export const PTY_FRAME_GAP_MS = 20;

export interface PtySite {
  /** The gateway end of a bus (already open), for the Gateway's openPort. */
  openPort(bus: BusConfig): SerialStream;
  /** Simulators by site device id. */
  simulators: Map<string, DeviceSimulator>;
  close(): Promise<void>;
}

interface PtyBus {
  pty: PtyPair;
  gatewayEnd: SerialStream;
  deviceEnd: SerialStream;
  devices: SimulatedDevices;
}

export async function startPtySite(site: SiteFile, manifests: ManifestLookup, clock: Clock, options: { speed: number; startMinutes: number }): Promise<PtySite> {
  const buses = new Map<string, PtyBus>();
  const simulators = new Map<string, DeviceSimulator>();
  for (const bus of site.buses) {
    if (!bus.port.startsWith('sim:')) throw new Error(`npm start runs simulated buses only; bus ${bus.id} is on ${bus.port}`);
    const pty = await createPtyPair();
    const line = { baud: bus.baud, parity: bus.parity, stopBits: bus.stopBits, dataBits: bus.dataBits ?? 8 };
    const deviceEnd = await openSerialStream({ path: pty.pathB, ...line });
    const gatewayEnd = await openSerialStream({ path: pty.pathA, ...line });
    const devices = attachSimulatedDevices(bus, manifests, clock, deviceEnd, { speed: options.speed, startMinutes: options.startMinutes, interFrameGapMs: PTY_FRAME_GAP_MS });
    for (const [id, simulator] of devices.simulators) simulators.set(id, simulator);
    buses.set(bus.id, { pty, gatewayEnd, deviceEnd, devices });
  }
  return {
    simulators,
    openPort(bus) {
      const found = buses.get(bus.id);
      if (found === undefined) throw new Error(`no simulated bus ${bus.id}`);
      return found.gatewayEnd;
    },
    async close() {
      for (const bus of buses.values()) {
        bus.gatewayEnd.close(); // normally closed already by the gateway
        bus.devices.close();
        await Promise.all([bus.gatewayEnd.whenClosed(), bus.deviceEnd.whenClosed()]);
        await bus.pty.close();
      }
    },
  };
}

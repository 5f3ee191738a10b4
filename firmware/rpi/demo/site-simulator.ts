/**
 * The far side of the demo site: each bus is a socat pseudo-terminal pair; the
 * simulated devices share the device end through a SharedBus, as devices share
 * an RS-485 pair. The gateway opens the other end with serialport's real bindings.
 */
import type { Clock } from '../../../drivers/ports/clock.js';
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { DeviceSimulator } from '../../../simulators/device-sim.js';
import { attachMeterSlave } from '../../../simulators/meters/meter-sim.js';
import { RtuSlave } from '../../../simulators/modbus/rtu-slave.js';
import { createPtyPair } from '../../../simulators/pty.js';
import { SharedBus } from '../../../simulators/shared-bus.js';
import { openSerialStream } from '../ports/serial-stream.js';
import type { DemoBus } from './demo-site.js';

export interface SimulatedBus {
  /** Path the gateway opens. */
  gatewayPath: string;
  simulators: Map<string, DeviceSimulator>;
  close(): Promise<void>;
}

export async function startSimulatedBus(
  bus: DemoBus,
  manifests: Map<string, DeviceManifest>,
  options: { clock: Clock; speed: number; startMinutes: number },
): Promise<SimulatedBus> {
  const pty = await createPtyPair();
  const stream = await openSerialStream({ path: pty.pathB, baud: bus.baud, parity: bus.parity, stopBits: bus.stopBits });
  const shared = new SharedBus(stream);
  const simulators = new Map<string, DeviceSimulator>();
  bus.devices.forEach((device, index) => {
    const manifest = manifests.get(device.manifest);
    if (manifest === undefined) throw new Error(`demo site: no manifest ${device.manifest}`);
    const simulator = new DeviceSimulator({
      manifest,
      clock: options.clock,
      seed: 1 + index * 7919, // devices of the same model must not move in lockstep
      speed: options.speed,
      startMinutes: options.startMinutes,
    });
    simulators.set(device.label, simulator);
    if (manifest.protocol === 'modbus') {
      new RtuSlave({ stream: shared.attach(), clock: options.clock, unit: Number(device.address), device: simulator });
    } else {
      attachMeterSlave({ stream: shared.attach(), clock: options.clock, simulator, address: String(device.address) });
    }
  });
  return {
    gatewayPath: pty.pathA,
    simulators,
    async close() {
      shared.close();
      await stream.whenClosed();
      await pty.close();
    },
  };
}

/**
 * Assembles the demo gateway: simulated buses, serial links, protocol clients,
 * manifest-driven device drivers, one poller per bus, and the live view.
 */
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { MeterDevice } from '../../../drivers/devices/meter-device.js';
import { ModbusDevice } from '../../../drivers/devices/modbus-device.js';
import { Cjt188Client } from '../../../drivers/cjt188/client.js';
import { Dlt645Client } from '../../../drivers/dlt645/client.js';
import { ModbusRtuMaster } from '../../../drivers/modbus/rtu-master.js';
import type { ModbusStats } from '../../../drivers/modbus/client.js';
import { NodeClock } from '../ports/node-clock.js';
import { openSerialStream, type SerialStream } from '../ports/serial-stream.js';
import { BusPoller, type PolledDevice } from './bus-poller.js';
import { DEMO_SITE, type DemoBus } from './demo-site.js';
import { LiveView } from './live-view.js';
import { startSimulatedBus, type SimulatedBus } from './site-simulator.js';

export interface GatewayOptions {
  manifests: Map<string, DeviceManifest>;
  speed: number;
  startMinutes: number;
  tty: boolean;
  write: (text: string) => void;
}

interface RunningBus {
  bus: DemoBus;
  simulated: SimulatedBus;
  stream: SerialStream;
  poller: BusPoller;
  loop: Promise<void>;
  stats: () => ModbusStats;
}

export async function startGateway(options: GatewayOptions): Promise<{ stop(): Promise<string>; view: LiveView }> {
  const clock = new NodeClock();
  const started = clock.now();
  const simMinutes = () => options.startMinutes + ((clock.now() - started) / 60000) * options.speed;
  const running: RunningBus[] = [];
  const view = new LiveView({
    title: `Axon gateway · ${DEMO_SITE.name}`,
    tty: options.tty,
    write: options.write,
    simMinutes,
    busStats: () =>
      running.map(({ bus, stats }) => {
        const s = stats();
        const errors = Object.entries(s.errors).map(([code, n]) => `${code}×${n}`).join(' ') || 'no errors';
        return `${bus.id} ${bus.baud} ${bus.parity === 'none' ? '8N1' : bus.parity === 'even' ? '8E1' : '8O1'}: ${s.requests} requests, ${s.responses} replies, ${errors}`;
      }),
  });

  for (const bus of DEMO_SITE.buses) {
    const simulated = await startSimulatedBus(bus, options.manifests, { clock, speed: options.speed, startMinutes: options.startMinutes });
    const stream = await openSerialStream({ path: simulated.gatewayPath, baud: bus.baud, parity: bus.parity, stopBits: bus.stopBits });
    const { devices, stats } = buildDrivers(bus, stream, clock, options.manifests);
    const poller = new BusPoller({ bus: bus.id, clock, devices, speed: options.speed, onResult: (r) => view.update(r) });
    running.push({ bus, simulated, stream, poller, loop: poller.run(), stats });
  }
  const redraw = setInterval(() => view.render(), 500);

  return {
    view,
    async stop() {
      clearInterval(redraw);
      for (const r of running) r.poller.stop();
      await Promise.allSettled(running.map((r) => r.loop));
      for (const r of running) {
        r.stream.close();
        await r.simulated.close();
      }
      clock.cancelAll();
      return `stopped after ${view.polls} polls of ${view.devicesSeen.length} devices; ${view.failedPoints} point readings failed.`;
    },
  };
}

function buildDrivers(bus: DemoBus, stream: SerialStream, clock: NodeClock, manifests: Map<string, DeviceManifest>): { devices: PolledDevice[]; stats: () => ModbusStats } {
  const protocol = manifests.get(bus.devices[0].manifest)?.protocol;
  if (protocol === 'modbus') {
    // Node delivers pty bytes with scheduling jitter: a 20 ms floor keeps frames whole.
    const master = new ModbusRtuMaster({ stream, clock, name: bus.id, minFrameGapMs: 20, timeoutMs: 500, retries: 1 });
    const devices = bus.devices.map((d) => {
      const manifest = manifests.get(d.manifest) as DeviceManifest;
      const driver = new ModbusDevice({ client: master, manifest, unit: Number(d.address) });
      return { label: d.label, address: d.address, manifest, readAll: () => driver.readAll() };
    });
    return { devices, stats: () => master.stats };
  }
  const client = protocol === 'cjt188' ? new Cjt188Client({ stream, clock, port: bus.id }) : new Dlt645Client({ stream, clock, port: bus.id });
  const devices = bus.devices.map((d) => {
    const manifest = manifests.get(d.manifest) as DeviceManifest;
    const driver = new MeterDevice({ client, manifest, address: d.address });
    return { label: d.label, address: d.address, manifest, readAll: () => driver.readAll() };
  });
  return { devices, stats: () => client.stats as unknown as ModbusStats };
}

/**
 * The far side of the rpi bench, in a process of its own so its CPU is not
 * the gateway's: one socat pty pair per bus, the project's simulated devices
 * (RtuSlave + DeviceSimulator per unit, all on a SharedBus) on the device end.
 * Prints `ready` on stdout once every bus is up; SIGTERM closes everything.
 *
 *   node --import tsx bench/rpi/simulators-child.ts <workload.json>
 *
 * workload.json: { "siteFile", "manifestsDir", "links": [{ "bus", "gateway", "devices" }] }
 */
import { readFileSync } from 'node:fs';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { NodeClock } from '../../firmware/rpi/ports/node-clock.js';
import { openSerialStream, type SerialStream } from '../../firmware/rpi/ports/serial-stream.js';
import { loadManifestDirectory } from '../../sdk/manifest/validate.js';
import { createPtyPair, type PtyPair } from '../../simulators/pty.js';
import { attachSimulatedDevices, type SimulatedDevices } from '../../simulators/simulated-bus.js';

/** Request frames reach the simulators in one pty write; a short gap keeps their answer prompt. */
const SIMULATOR_FRAME_GAP_MS = 2;

interface ChildInput {
  siteFile: string;
  manifestsDir: string;
  links: Array<{ bus: string; gateway: string; devices: string }>;
}

const input = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ChildInput;
const site = JSON.parse(readFileSync(input.siteFile, 'utf8')) as SiteFile;
const manifests = new Map(loadManifestDirectory(input.manifestsDir).map((m) => [m.id, m]));
const clock = new NodeClock();
const opened: Array<{ pty: PtyPair; end: SerialStream; devices: SimulatedDevices }> = [];

for (const link of input.links) {
  const bus = site.buses.find((b) => b.id === link.bus);
  if (bus === undefined) throw new Error(`no bus ${link.bus} in ${input.siteFile}`);
  const pty = await createPtyPair({ linkA: link.gateway, linkB: link.devices });
  const end = await openSerialStream({ path: link.devices, baud: bus.baud, parity: bus.parity, stopBits: bus.stopBits });
  const devices = attachSimulatedDevices(bus, manifests, clock, end, { interFrameGapMs: SIMULATOR_FRAME_GAP_MS });
  opened.push({ pty, end, devices });
}
process.stdout.write('ready\n');

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  void (async () => {
    for (const bus of opened) {
      bus.devices.close();
      await bus.end.whenClosed();
      await bus.pty.close();
    }
    clock.cancelAll();
    process.exit(0);
  })();
});

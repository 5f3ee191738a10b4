/**
 * The rpi bench's sites: N RS-485 buses of M Modbus units each, every unit a
 * bench device answering one FC03 request of 10 holding registers (10 points,
 * int16 × 0.1) per poll, the workload issue 11 compared with Node-RED. Written
 * as files, as an installer would: a device manifest directory, a site file
 * and a host config naming the gateway ends of the pty pairs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import type { SiteFile } from '../../drivers/gateway/site.js';

export const BENCH_MANIFEST_ID = 'bench-fc03x10';
export const POINTS_PER_DEVICE = 10;
/** Line speed of the bench buses: the fastest common RS-485 setting, where the frame gap matters most. */
export const BENCH_BAUD = 115_200;

export interface RpiWorkload {
  buses: number;
  unitsPerBus: number;
  pollPeriodS: number;
}

export function pollsPerSecond(w: RpiWorkload): number {
  return (w.buses * w.unitsPerBus) / w.pollPeriodS;
}

export function benchManifest(): DeviceManifest {
  const points = Array.from({ length: POINTS_PER_DEVICE }, (_, i) => ({
    id: `value_${i}`,
    name: `Value ${i}`,
    unit: 'kPa',
    role: 'measurement',
    fc: 3,
    address: i,
    type: 'int16',
    scale: 0.1,
    min: -1000,
    max: 1000,
    sim: { model: 'random-walk', base: 100 + i, step: 0.5, min: 50, max: 200 },
  }));
  return {
    id: BENCH_MANIFEST_ID,
    name: 'Bench device: 10 holding registers',
    vendor: 'axon',
    model: 'bench',
    category: 'other',
    protocol: 'modbus',
    description: 'The rpi bench workload: one FC03 request of 10 int16 registers per poll.',
    line: { baud: BENCH_BAUD, parity: 'none', dataBits: 8, stopBits: 1 },
    defaultAddress: 1,
    pollPeriodS: 1,
    timeoutMs: 200,
    points,
  } as unknown as DeviceManifest;
}

export interface WorkloadFiles {
  manifestsDir: string;
  siteFile: string;
  configFile: string;
  dataDir: string;
  /** Per bus: the gateway end (in the host config) and the simulators' end of its pty pair. */
  links: Array<{ bus: string; gateway: string; devices: string }>;
  site: SiteFile;
}

export function writeWorkload(dir: string, w: RpiWorkload, brokerUrl: string, credentials: { username: string; password: string }, flushEveryMs: number): WorkloadFiles {
  const manifestsDir = path.join(dir, 'manifests');
  mkdirSync(manifestsDir, { recursive: true });
  writeFileSync(path.join(manifestsDir, `${BENCH_MANIFEST_ID}.json`), JSON.stringify(benchManifest(), null, 2));
  const links: WorkloadFiles['links'] = [];
  const site = {
    id: 'rpi-bench',
    name: `rpi bench: ${w.buses} × ${w.unitsPerBus} units every ${w.pollPeriodS} s`,
    buses: Array.from({ length: w.buses }, (_, b) => {
      const bus = `rs485-${b + 1}`;
      links.push({ bus, gateway: path.join(dir, `tty-${bus}`), devices: path.join(dir, `tty-${bus}-devices`) });
      return {
        id: bus,
        port: `sim:bench-${b + 1}`,
        baud: BENCH_BAUD,
        parity: 'none',
        stopBits: 1,
        dataBits: 8,
        turnaroundMs: 2,
        timeoutMs: 200,
        devices: Array.from({ length: w.unitsPerBus }, (_, u) => ({
          id: `b${b + 1}-u${u + 1}`,
          manifest: BENCH_MANIFEST_ID,
          address: u + 1,
          pollPeriodS: w.pollPeriodS,
        })),
      };
    }),
    uplink: { kind: 'mqtt', url: brokerUrl },
  } as unknown as SiteFile;
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site, null, 2));
  const passwordFile = path.join(dir, 'mqtt-password');
  writeFileSync(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  const config = {
    gatewayId: credentials.username,
    buses: Object.fromEntries(links.map((link) => [link.bus, { port: link.gateway }])),
    mqtt: { username: credentials.username, passwordFile },
    gateway: { flushEveryMs },
  };
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { manifestsDir, siteFile, configFile, dataDir: path.join(dir, 'data'), links, site };
}

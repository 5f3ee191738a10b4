/**
 * Shared by the end-to-end tests of `axon gateway run` (gateway-run.test.ts,
 * gateway-nbiot.test.ts): the far side of the RS-485 bus, simulated devices on
 * the device end of a socat pty pair opened with serialport's real bindings,
 * a polling wait, and a whole Pi bench (piBench).
 */
import type { ExecutionContext } from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { startMosquitto, type MosquittoBroker } from '../mqtt/test-brokers.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { createPtyPair, type PtyPair } from '../../../simulators/pty.js';
import { attachSimulatedDevices, type SimulatedDevices, type SimulatedDevicesOptions } from '../../../simulators/simulated-bus.js';
import { PTY_FRAME_GAP_MS } from '../demo/pty-site.js';
import { NodeClock } from '../ports/node-clock.js';
import { openSerialStream, type SerialStream } from '../ports/serial-stream.js';

/** Simulated minutes per real minute on the far side: the smoke alarm goes off one simulated minute (a second) in. */
const SPEED = 60;

const SMOKE_FROM_MINUTE_1: SimulatedDevicesOptions['models'] = { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 1, durationMinutes: 100_000 } } };

/** The far side of the bus: the simulated devices on the device end of a pty pair at fixed link paths. */
export class FarSide {
  pty: PtyPair | undefined;
  #end: SerialStream | undefined;
  #devices: SimulatedDevices | undefined;
  #firstPlugMs: number | undefined;
  readonly #clock = new NodeClock();

  /** `models`: the devices' scenario (default: the smoke alarm goes off one simulated minute, a second of real time, in and stays on). */
  constructor(readonly site: SiteFile, readonly gatewayLink: string, readonly deviceLink: string, readonly models: SimulatedDevicesOptions['models'] = SMOKE_FROM_MINUTE_1) {}

  async plugIn(): Promise<void> {
    const bus = this.site.buses[0];
    // Unplugging the cable does not reset the sensors: plugged back, they carry on where their scenario is now
    // (restarting it at minute 0 would turn the smoke alarm off for a simulated minute and raise it again).
    this.#firstPlugMs ??= Date.now();
    const startMinutes = ((Date.now() - this.#firstPlugMs) / 60_000) * SPEED;
    this.pty = await createPtyPair({ linkA: this.gatewayLink, linkB: this.deviceLink });
    this.#end = await openSerialStream({ path: this.deviceLink, baud: bus.baud, parity: bus.parity, stopBits: bus.stopBits });
    this.#devices = attachSimulatedDevices(bus, shippedManifests(), this.#clock, this.#end, {
      speed: SPEED,
      startMinutes,
      interFrameGapMs: PTY_FRAME_GAP_MS,
      models: this.models,
    });
  }

  async unplug(): Promise<void> {
    this.#devices?.close();
    this.#devices = undefined;
    this.#end?.close();
    await this.#end?.whenClosed();
    this.#end = undefined;
    await this.pty?.close();
    this.pty = undefined;
  }

  async close(): Promise<void> {
    await this.unplug();
    this.#clock.cancelAll();
  }
}

/** Poll `condition` every 50 ms; reject after `timeoutMs` with `what` (and `detail()`, e.g. the gateway's log). */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail === undefined ? '' : `\n${detail()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The demo outputs' GPIO lines on the test's sysfs stand-in. */
const BENCH_GPIO = { 'barrier-relay': 517, 'warning-light': 539, buzzer: 534 } as const;

export interface PiBench {
  dir: string;
  broker: MosquittoBroker;
  site: SiteFile;
  siteFile: string;
  configFile: string;
  /** `gateway run` flags for this bench (no --report-every). */
  args: string[];
  far: FarSide;
}

/**
 * A Pi gateway's world for an end-to-end test: a temporary directory, a real
 * Mosquitto with the gateway's user, the demo devices `devices` on one bus
 * polled every 2 s, the ones in `wired` simulated on the far end of a socat
 * pty (plugged in), GPIO in a sysfs-shaped directory, and the host config with
 * `config` merged over the bench's (gatewayId, bus port, outputs, MQTT user).
 */
export async function piBench(t: ExecutionContext, options: { gatewayId: string; password: string; devices: readonly string[]; wired?: readonly string[]; config?: Record<string, unknown> }): Promise<PiBench> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-bench-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broker = await startMosquitto({ username: options.gatewayId, password: options.password });
  t.teardown(() => broker.close());
  const site = demoSubset(options.devices);
  site.buses[0].port = 'sim:not-on-this-pi';
  for (const device of site.buses[0].devices) device.pollPeriodS = 2;
  site.uplink = { kind: 'mqtt', url: broker.url };
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site, null, 2));
  const gpioRoot = path.join(dir, 'gpio');
  for (const line of Object.values(BENCH_GPIO)) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  const gatewayLink = path.join(dir, 'ttyRS485');
  const config = {
    gatewayId: options.gatewayId,
    buses: { [site.buses[0].id]: { port: gatewayLink } },
    outputs: Object.fromEntries(Object.entries(BENCH_GPIO).map(([id, gpio]) => [id, { gpio }])),
    gpioRoot,
    mqtt: { username: options.gatewayId, password: options.password },
    ...options.config,
  };
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
  const far = new FarSide(demoSubset(options.wired ?? options.devices), gatewayLink, path.join(dir, 'ttyDevices'));
  t.teardown(() => far.close());
  await far.plugIn();
  return { dir, broker, site, siteFile, configFile, far, args: ['gateway', 'run', '--site', siteFile, '--config', configFile, '--data', path.join(dir, 'data')] };
}

/**
 * The pipeline scenarios' bench: the demo site (or some of its devices) as
 * simulated devices in virtual time, a Gateway on in-memory storage, a
 * recording uplink that decodes what arrives, and outputs that log their
 * writes. Runtime-neutral, so the scenarios run on Node and inside XS.
 */
import type { SiteFile } from './site.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import type { DigitalOutput } from '../ports/digital.js';
import type { UplinkPort } from '../ports/uplink.js';
import { MemoryKeyValueStore } from '../ports/storage.js';
import { MemoryFileSystem } from '../store/memory-file-system.js';
import { Gateway, type GatewayEvent, type GatewayOptions } from './gateway.js';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { simulateSite, type SimulatedSite } from '../../simulators/site-sim.js';
import type { SimulatedDevicesOptions } from '../../simulators/simulated-bus.js';
import { MemoryUplink, type MemoryUplinkOptions } from '../../simulators/uplink/memory-uplink.js';
import { tenRegisterManifest } from '../batch/test-support.js';

export const MINUTE = 60_000;

/** A digital output that remembers every write with its clock time. */
export class RecordingOutput implements DigitalOutput {
  readonly writes: Array<{ atMs: number; value: 0 | 1 }> = [];
  constructor(private readonly clock: VirtualClock) {}
  write(value: 0 | 1): void {
    this.writes.push({ atMs: this.clock.now(), value });
  }
  close(): void {}
  /** Clock time of the first write of `value` at or after `fromMs`. */
  firstAt(value: 0 | 1, fromMs = 0): number | undefined {
    return this.writes.find((w) => w.value === value && w.atMs >= fromMs)?.atMs;
  }
}

/** The demo site with only the named devices (and the rules about them). */
export function demoSubset(deviceIds?: readonly string[]): SiteFile {
  const site = demoSite();
  if (deviceIds === undefined) return site;
  const keep = new Set(deviceIds);
  for (const bus of site.buses) bus.devices = bus.devices.filter((d) => keep.has(d.id));
  site.buses = site.buses.filter((bus) => bus.devices.length > 0);
  site.rules = (site.rules ?? []).filter((rule) => keep.has(rule.device));
  return site;
}

export interface PipelineOptions {
  devices?: readonly string[];
  sim?: SimulatedDevicesOptions;
  uplink?: Omit<MemoryUplinkOptions, 'clock'>;
  gateway?: Partial<GatewayOptions>;
  /** Share a clock with another bench (a LoRaWAN channel, a network). */
  clock?: VirtualClock;
  /** The gateway sends through this port instead of the recording MemoryUplink (which then stays idle). */
  uplinkPort?: UplinkPort;
}

export class Pipeline {
  readonly clock: VirtualClock;
  readonly site: SiteFile;
  readonly manifests = shippedManifests();
  readonly files = new MemoryFileSystem();
  readonly meta = new MemoryKeyValueStore();
  readonly uplink: MemoryUplink;
  readonly outputs: Record<string, RecordingOutput> = {};
  readonly events: Array<GatewayEvent & { atMs: number }> = [];
  sim: SimulatedSite;
  gateway: Gateway;
  readonly #options: PipelineOptions;

  constructor(options: PipelineOptions = {}) {
    this.#options = options;
    this.clock = options.clock ?? new VirtualClock();
    this.site = demoSubset(options.devices);
    for (const output of this.site.outputs ?? []) this.outputs[output.id] = new RecordingOutput(this.clock);
    this.uplink = new MemoryUplink({ clock: this.clock, ...options.uplink });
    this.sim = simulateSite(this.site, this.manifests, this.clock, options.sim);
    this.gateway = this.#open();
  }

  #open(): Gateway {
    const gateway = new Gateway({
      site: this.site,
      manifests: this.manifests,
      clock: this.clock,
      openPort: (bus) => this.sim.openPort(bus),
      files: this.files,
      meta: this.meta,
      outputs: this.outputs,
      uplink: this.#options.uplinkPort ?? this.uplink,
      onEvent: (event) => this.events.push({ ...event, atMs: this.clock.now() }),
      ...this.#options.gateway,
    });
    this.uplink.channels = gateway.channelTable;
    return gateway;
  }

  /** Run the clock to `ms` (monotonic). */
  async until(ms: number): Promise<void> {
    await this.clock.advanceTo(ms);
  }

  /**
   * Restart the gateway on the same storage: the old one is closed (its ports
   * with it), the simulated devices carry on from the simulated minute they
   * had reached, and a new Gateway opens the same log, meta and outputs.
   */
  async reboot(): Promise<Gateway> {
    await this.clock.run(this.gateway.close());
    this.sim.close();
    const speed = this.#options.sim?.speed ?? 1;
    this.sim = simulateSite(this.site, this.manifests, this.clock, { ...this.#options.sim, startMinutes: (this.#options.sim?.startMinutes ?? 0) + (this.clock.now() / MINUTE) * speed });
    this.gateway = this.#open();
    this.gateway.start();
    return this.gateway;
  }

  async close(): Promise<void> {
    await this.clock.run(this.gateway.close());
    this.sim.close();
  }

  /** Poll events of one device. */
  polls(device: string): Array<Extract<GatewayEvent, { kind: 'poll' }> & { atMs: number }> {
    return this.events.filter((e): e is Extract<GatewayEvent, { kind: 'poll' }> & { atMs: number } => e.kind === 'poll' && e.poll.device === device);
  }

  /** Decoded alerts at the far side, as compact strings "rule level state". */
  alertLines(rule?: string): string[] {
    return this.uplink
      .alerts()
      .filter((a) => rule === undefined || a.rule === rule)
      .map((a) => `${a.rule} ${a.level} ${a.state}`);
  }

  /**
   * Errors the gateway reported. A loop, not flatMap: XS's flatMap keeps a
   * stack slot per element until it returns, so over the thousands of events
   * of a long run (about 3,900 on xsnap's 4,096-slot stack) it aborts the
   * engine with a stack overflow.
   */
  errors(): string[] {
    const messages: string[] = [];
    for (const event of this.events) if (event.kind === 'error') messages.push(event.error.message);
    return messages;
  }
}

/** A Gateway on one bus of ten-register units (`tenRegisterManifest`) polled every second, in virtual time, sending to a MemoryUplink. */
export function tenRegisterBusGateway(options: { baud: number; units: number; gateway?: Partial<GatewayOptions>; uplink?: Omit<MemoryUplinkOptions, 'clock'> }): {
  clock: VirtualClock;
  sim: SimulatedSite;
  uplink: MemoryUplink;
  gateway: Gateway;
} {
  const clock = new VirtualClock();
  const manifests = new Map([['ten-registers', tenRegisterManifest()]]);
  const devices = [];
  for (let u = 1; u <= options.units; u++) devices.push({ id: `u${u}`, manifest: 'ten-registers', address: u, pollPeriodS: 1 });
  const site: SiteFile = {
    id: 'ten-registers',
    name: 'ten-register units',
    uplink: { kind: 'mqtt', url: 'mqtt://127.0.0.1:1883' },
    buses: [{ id: 'rs485-1', port: '/dev/ttyUSB0', baud: options.baud, parity: 'none', stopBits: 1, turnaroundMs: 2, devices }],
  };
  const sim = simulateSite(site, manifests, clock);
  const uplink = new MemoryUplink({ clock, maxPayloadBytes: 4096, ...options.uplink });
  const gateway = new Gateway({
    site,
    manifests,
    clock,
    openPort: (bus) => sim.openPort(bus),
    files: new MemoryFileSystem(),
    meta: new MemoryKeyValueStore(),
    uplink,
    ...options.gateway,
  });
  uplink.channels = gateway.channelTable;
  return { clock, sim, uplink, gateway };
}

/**
 * A site bus with simulated devices on the far end, in virtual time: the
 * gateway end is an instrumented ByteStream (every byte's time on the wire is
 * logged, so tests can prove no two transmissions overlap), the device end a
 * SharedBus of RtuSlaves and meter slaves driven by the manifests. Runtime-
 * neutral (no node:*): used by core tests in XS, the wire-ratio and pipeline
 * benches and (device side only, on a pty) by `npm start`.
 */
import type { BusConfig } from '../drivers/gateway/site.js';
import type { ByteStream, SerialLineSettings } from '../drivers/ports/byte-stream.js';
import { characterTimeMs } from '../drivers/ports/byte-stream.js';
import type { Clock } from '../drivers/ports/clock.js';
import type { DeviceManifest, SimulationSpec } from '../drivers/devices/manifest.js';
import { createStreamPair } from '../drivers/ports/memory-stream.js';
import { busLine, manifestFor, type ManifestLookup } from '../drivers/scheduler/site-device.js';
import { DeviceSimulator } from './device-sim.js';
import { attachMeterSlave } from './meters/meter-sim.js';
import { RtuSlave } from './modbus/rtu-slave.js';
import { SharedBus } from './shared-bus.js';

/** One frame's time on the wire, seen from the gateway. */
export interface WireEvent {
  direction: 'tx' | 'rx';
  /** Clock ms the first bit left / the last byte arrived minus its wire time. */
  start: number;
  end: number;
  bytes: number;
}

/** The gateway end of a simulated line, logging every transmission and reception. */
export class WireLog implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings;
  /** The frames on the wire, oldest first: every one, or the last `keepEvents` (see the constructor). */
  readonly events: WireEvent[] = [];
  readonly #inner: ByteStream;
  readonly #clock: Clock;
  readonly #charMs: number;
  readonly #keepEvents: number;
  #transmissions = 0;
  #txFree = -Infinity;

  /** `keepEvents` bounds the log (a fleet runs gateways for days: it keeps none); default every event. */
  constructor(inner: ByteStream, clock: Clock, line: SerialLineSettings, keepEvents = Infinity) {
    this.#inner = inner;
    this.#clock = clock;
    this.line = line;
    this.#charMs = characterTimeMs(line);
    this.#keepEvents = keepEvents;
    inner.onReadable = (bytes) => {
      const end = this.#clock.now();
      this.#log({ direction: 'rx', start: end - bytes.length * this.#charMs, end, bytes: bytes.length });
      this.onReadable?.(bytes);
    };
    inner.onError = (error) => this.onError?.(error);
  }

  write(bytes: Uint8Array): void {
    const start = Math.max(this.#clock.now(), this.#txFree);
    this.#txFree = start + bytes.length * this.#charMs;
    this.#transmissions++;
    this.#log({ direction: 'tx', start, end: this.#txFree, bytes: bytes.length });
    this.#inner.write(bytes);
  }

  #log(event: WireEvent): void {
    if (this.#keepEvents === 0) return;
    this.events.push(event);
    // Pruned in halves, so keeping the last n costs O(1) per event on average.
    if (this.events.length > 2 * this.#keepEvents) this.events.splice(0, this.events.length - this.#keepEvents);
  }

  close(): void {
    this.#inner.close();
  }

  /** Pairs of frames that were on the wire at the same time (a collision on half-duplex RS-485). */
  overlaps(toleranceMs = 1e-6): Array<[WireEvent, WireEvent]> {
    const sorted = [...this.events].sort((a, b) => a.start - b.start);
    const out: Array<[WireEvent, WireEvent]> = [];
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].start < sorted[i - 1].end - toleranceMs) out.push([sorted[i - 1], sorted[i]]);
    }
    return out;
  }

  /** Requests the gateway sent (all of them, whatever the log keeps). */
  get transmissions(): number {
    return this.#transmissions;
  }
}

export interface SimulatedDevicesOptions {
  /** Device ids that get no simulator: their unit stays silent (a dead or unplugged device). */
  absent?: readonly string[];
  /** Seeds the point models; devices of the same model get different seeds. Default 1. */
  seed?: number;
  /** Simulated minutes already elapsed at the start (jump into a storm). Default 0. */
  startMinutes?: number;
  /** Simulated minutes per clock minute (60 plays an hour-long storm in a minute). Default 1. */
  speed?: number;
  /**
   * Scenario scripts: per device id, per point id, a simulation spec that replaces
   * the manifest's `sim` (force a level series, a smoke alarm at a given minute).
   */
  models?: Readonly<Record<string, Readonly<Record<string, SimulationSpec>>>>;
  /**
   * Silence that ends a Modbus request frame at the slaves, ms. Default one
   * character: MemoryStream delivers a frame in one chunk. Real ptys deliver
   * with scheduling jitter, so hosts raise it (about 20 ms on Node).
   */
  interFrameGapMs?: number;
  /** Wire events each bus's WireLog keeps (default all; a long fleet run keeps none). */
  keepWireEvents?: number;
}

/** The simulated devices of one bus, on the device end of its line. */
export interface SimulatedDevices {
  /** Simulators by site device id, to read or force values. */
  simulators: Map<string, DeviceSimulator>;
  /** Plug in a device that was absent (or unplugged): it answers from now on. */
  connect(deviceId: string): DeviceSimulator;
  /** Unplug a device: it stays silent from now on. */
  disconnect(deviceId: string): void;
  /** Detach every device and close the device end of the line. */
  close(): void;
}

export interface SimulatedBus extends SimulatedDevices {
  /** Give this to the PortScheduler. */
  gateway: WireLog;
}

/** The manifest with a scenario's point models in place of the manifest's own. */
function scriptedManifest(manifest: DeviceManifest, models: Readonly<Record<string, SimulationSpec>> | undefined): DeviceManifest {
  if (models === undefined) return manifest;
  return { ...manifest, points: manifest.points.map((point) => (models[point.id] === undefined ? point : { ...point, sim: models[point.id] })) };
}

/**
 * The simulator of device `index` of `bus`, with its scenario models: the
 * same values whichever front answers for it (byte-level slaves here, or the
 * register image of register-image.ts).
 */
export function createDeviceSimulator(bus: BusConfig, index: number, manifests: ManifestLookup, clock: Clock, options: SimulatedDevicesOptions = {}): DeviceSimulator {
  const device = bus.devices[index];
  return new DeviceSimulator({
    manifest: scriptedManifest(manifestFor(manifests, device), options.models?.[device.id]),
    clock,
    seed: (options.seed ?? 1) + index * 7919, // devices of the same model must not move in lockstep
    startMinutes: options.startMinutes ?? 0,
    speed: options.speed ?? 1,
  });
}

/**
 * Every device of `bus` (except the absent ones) as a simulator behind its
 * protocol front (RtuSlave, DL/T 645 or CJ/T 188 slave), all sharing
 * `deviceEnd` through a SharedBus as devices share an RS-485 pair. The line
 * may be in-memory (virtual time) or a real pty (Node host).
 *
 * Slaves answer after the bus's turnaroundMs (the planner's figure) and end a
 * frame after one character of silence by default: MemoryStream delivers a
 * frame in one chunk, and a short gap keeps a slave that overheard a
 * neighbour's reply from gluing it to the next request.
 */
export function attachSimulatedDevices(bus: BusConfig, manifests: ManifestLookup, clock: Clock, deviceEnd: ByteStream, options: SimulatedDevicesOptions = {}): SimulatedDevices {
  const line = busLine(bus);
  const shared = new SharedBus(deviceEnd);
  const simulators = new Map<string, DeviceSimulator>();
  const absent = new Set(options.absent ?? []);
  const slaves = new Map<string, { close(): void }>();
  const connect = (deviceId: string): DeviceSimulator => {
    const index = bus.devices.findIndex((d) => d.id === deviceId);
    if (index < 0) throw new RangeError(`bus ${bus.id} has no device ${deviceId}`);
    const device = bus.devices[index];
    slaves.get(deviceId)?.close();
    const simulator = createDeviceSimulator(bus, index, manifests, clock, options);
    const manifest = simulator.manifest;
    simulators.set(device.id, simulator);
    const stream = shared.attach();
    const slave = manifest.protocol === 'modbus'
      ? new RtuSlave({ stream, clock, unit: Number(device.address), device: simulator, turnaroundMs: bus.turnaroundMs ?? 10, interFrameGapMs: options.interFrameGapMs ?? characterTimeMs(line) })
      : attachMeterSlave({ stream, clock, simulator, address: String(device.address) });
    slaves.set(deviceId, {
      close() {
        slave.close();
        stream.close();
      },
    });
    return simulator;
  };
  for (const device of bus.devices) if (!absent.has(device.id)) connect(device.id);
  return {
    simulators,
    connect,
    disconnect(deviceId) {
      slaves.get(deviceId)?.close();
      slaves.delete(deviceId);
      simulators.delete(deviceId);
    },
    close() {
      for (const slave of slaves.values()) slave.close();
      slaves.clear();
      shared.close();
    },
  };
}

/** A bus in virtual time: an in-memory line (bytes take their wire time) with the simulated devices on its far end. */
export function simulateBus(bus: BusConfig, manifests: ManifestLookup, clock: Clock, options: SimulatedDevicesOptions = {}): SimulatedBus {
  const line = busLine(bus);
  const [gatewayEnd, deviceEnd] = createStreamPair({ clock, line });
  return { ...attachSimulatedDevices(bus, manifests, clock, deviceEnd, options), gateway: new WireLog(gatewayEnd, clock, line, options.keepWireEvents) };
}

/**
 * A site bus with simulated devices on the far end, in virtual time: the
 * gateway end is an instrumented ByteStream (every byte's time on the wire is
 * logged, so tests can prove no two transmissions overlap), the device end a
 * SharedBus of RtuSlaves and meter slaves driven by the manifests. Runtime-
 * neutral (no node:*): used by core tests in XS and by the wire-ratio bench.
 */
import type { BusConfig } from '../../drivers/gateway/site.js';
import type { ByteStream, SerialLineSettings } from '../../drivers/ports/byte-stream.js';
import { characterTimeMs } from '../../drivers/ports/byte-stream.js';
import type { Clock } from '../../drivers/ports/clock.js';
import { createStreamPair } from '../../drivers/ports/memory-stream.js';
import { busLine, manifestFor, type ManifestLookup } from '../../drivers/scheduler/site-device.js';
import { DeviceSimulator } from '../../simulators/device-sim.js';
import { attachMeterSlave } from '../../simulators/meters/meter-sim.js';
import { RtuSlave } from '../../simulators/modbus/rtu-slave.js';
import { SharedBus } from '../../simulators/shared-bus.js';

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
  readonly events: WireEvent[] = [];
  readonly #inner: ByteStream;
  readonly #clock: Clock;
  readonly #charMs: number;
  #txFree = -Infinity;

  constructor(inner: ByteStream, clock: Clock, line: SerialLineSettings) {
    this.#inner = inner;
    this.#clock = clock;
    this.line = line;
    this.#charMs = characterTimeMs(line);
    inner.onReadable = (bytes) => {
      const end = this.#clock.now();
      this.events.push({ direction: 'rx', start: end - bytes.length * this.#charMs, end, bytes: bytes.length });
      this.onReadable?.(bytes);
    };
    inner.onError = (error) => this.onError?.(error);
  }

  write(bytes: Uint8Array): void {
    const start = Math.max(this.#clock.now(), this.#txFree);
    this.#txFree = start + bytes.length * this.#charMs;
    this.events.push({ direction: 'tx', start, end: this.#txFree, bytes: bytes.length });
    this.#inner.write(bytes);
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

  /** Requests the gateway sent. */
  get transmissions(): number {
    return this.events.filter((e) => e.direction === 'tx').length;
  }
}

export interface SimulatedBusOptions {
  /** Device ids that get no simulator: their unit stays silent (a dead or unplugged device). */
  absent?: readonly string[];
  /** Seeds the point models; devices of the same model get different seeds. Default 1. */
  seed?: number;
  /** Simulated minutes already elapsed at the start (jump into a storm). Default 0. */
  startMinutes?: number;
}

export interface SimulatedBus {
  /** Give this to the PortScheduler. */
  gateway: WireLog;
  /** Simulators by site device id, to read or force values. */
  simulators: Map<string, DeviceSimulator>;
  /** Plug in a device that was absent (or unplugged): it answers from now on. */
  connect(deviceId: string): DeviceSimulator;
  /** Unplug a device: it stays silent from now on. */
  disconnect(deviceId: string): void;
  close(): void;
}

/**
 * Slaves answer after the bus's turnaroundMs (the planner's figure) and end a
 * frame after one character of silence: MemoryStream delivers a frame in one
 * chunk, and a short gap keeps a slave that overheard a neighbour's reply from
 * gluing it to the next request.
 */
export function simulateBus(bus: BusConfig, manifests: ManifestLookup, clock: Clock, options: SimulatedBusOptions = {}): SimulatedBus {
  const line = busLine(bus);
  const [gatewayEnd, deviceEnd] = createStreamPair({ clock, line });
  const shared = new SharedBus(deviceEnd);
  const simulators = new Map<string, DeviceSimulator>();
  const absent = new Set(options.absent ?? []);
  const slaves = new Map<string, { close(): void }>();
  const connect = (deviceId: string): DeviceSimulator => {
    const index = bus.devices.findIndex((d) => d.id === deviceId);
    if (index < 0) throw new RangeError(`bus ${bus.id} has no device ${deviceId}`);
    const device = bus.devices[index];
    slaves.get(deviceId)?.close();
    const manifest = manifestFor(manifests, device);
    const simulator = new DeviceSimulator({ manifest, clock, seed: (options.seed ?? 1) + index * 7919, startMinutes: options.startMinutes ?? 0 });
    simulators.set(device.id, simulator);
    const stream = shared.attach();
    const slave = manifest.protocol === 'modbus'
      ? new RtuSlave({ stream, clock, unit: Number(device.address), device: simulator, turnaroundMs: bus.turnaroundMs ?? 10, interFrameGapMs: characterTimeMs(line) })
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
    gateway: new WireLog(gatewayEnd, clock, line),
    simulators,
    connect,
    disconnect(deviceId) {
      slaves.get(deviceId)?.close();
      slaves.delete(deviceId);
      simulators.delete(deviceId);
    },
    close() {
      for (const slave of slaves.values()) slave.close();
      shared.close();
    },
  };
}

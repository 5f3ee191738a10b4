/**
 * A site's field devices answered from their register image: the fast path
 * for large fleets (`axon fleet sim --wire image`, the default there).
 *
 * The gateway's side is unchanged: its Modbus master and meter drivers frame
 * every request and parse every reply byte by byte, as on a real line. What is
 * skipped is the simulation of the line itself: instead of every request
 * travelling a MemoryStream to a SharedBus where each of the bus's slaves
 * buffers it, checks its CRC and drops it unless addressed, the request goes
 * straight to the one device it addresses. A Modbus device answers from its
 * DeviceSimulator's registers (answerPdu, the slave's own request logic); a
 * meter (DL/T 645, CJ/T 188) through its slave on a private line.
 *
 * Timing is the wire's: the request reaches the device after its bytes' time
 * on the line, the device answers then (its values are read at that instant),
 * a Modbus reply starts after the bus's turnaround and a meter's at once, and
 * arrives after its bytes' time. So a gateway polls the same values at the
 * same instants as over the byte-level wire (simulated-bus.ts), which a fleet
 * keeps for a sample of its gateways (and for all with `--wire full`);
 * simulators/register-image.core.test.ts checks both give the same readings.
 * What the image does not model: corrupted or colliding frames on the line,
 * a slave confused by a neighbour's traffic; use the wire for those.
 * Runtime-neutral.
 */
import type { BusConfig, SiteFile } from '../drivers/gateway/site.js';
import type { ByteStream, SerialLineSettings } from '../drivers/ports/byte-stream.js';
import { characterTimeMs } from '../drivers/ports/byte-stream.js';
import type { Clock } from '../drivers/ports/clock.js';
import { hasValidCrc, withCrc } from '../drivers/modbus/crc16.js';
import { concatBytes } from '../drivers/bytes.js';
import { busLine, type ManifestLookup } from '../drivers/scheduler/site-device.js';
import type { DeviceSimulator } from './device-sim.js';
import { attachMeterSlave } from './meters/meter-sim.js';
import { answerPdu } from './modbus/answer.js';
import { createDeviceSimulator, type SimulatedDevicesOptions } from './simulated-bus.js';
import { siteOver, type SiteSimulation } from './site-sim.js';

/** A meter's slave on a line of its own: what it writes is collected, not sent. */
class MeterLine implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings;
  replies: Uint8Array[] = [];

  constructor(line: SerialLineSettings) {
    this.line = line;
  }

  write(bytes: Uint8Array): void {
    this.replies.push(bytes.slice());
  }

  close(): void {
    this.onReadable = undefined;
  }
}

/** The gateway end of one bus whose devices answer from their register image. */
export class RegisterImageBus implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings;
  /** Simulators by site device id, to read or force values. */
  readonly simulators = new Map<string, DeviceSimulator>();
  readonly #clock: Clock;
  readonly #charMs: number;
  readonly #turnaroundMs: number;
  readonly #modbus = new Map<number, DeviceSimulator>();
  readonly #meters: Array<{ line: MeterLine; slave: { close(): void } }> = [];
  /** When the gateway's transmitter and the devices' side of the line are free again. */
  #txFree = -Infinity;
  #rxFree = -Infinity;
  #closed = false;

  constructor(bus: BusConfig, manifests: ManifestLookup, clock: Clock, options: SimulatedDevicesOptions = {}) {
    this.#clock = clock;
    this.line = busLine(bus);
    this.#charMs = characterTimeMs(this.line);
    this.#turnaroundMs = bus.turnaroundMs ?? 10;
    const absent = new Set(options.absent ?? []);
    bus.devices.forEach((device, index) => {
      if (absent.has(device.id)) return;
      const simulator = createDeviceSimulator(bus, index, manifests, clock, options);
      this.simulators.set(device.id, simulator);
      if (simulator.manifest.protocol === 'modbus') {
        this.#modbus.set(Number(device.address), simulator);
        return;
      }
      const line = new MeterLine(this.line);
      this.#meters.push({ line, slave: attachMeterSlave({ stream: line, clock, simulator, address: String(device.address) }) });
    });
  }

  write(bytes: Uint8Array): void {
    if (this.#closed) throw new Error('RegisterImageBus: write after close');
    const now = this.#clock.now();
    const start = Math.max(now, this.#txFree);
    this.#txFree = start + bytes.length * this.#charMs;
    const frame = bytes.slice();
    // The request reaches the devices when its last byte has crossed the line.
    this.#clock.schedule(this.#txFree - now, () => this.#deliver(frame));
  }

  close(): void {
    this.#closed = true;
    for (const m of this.#meters) {
      m.slave.close();
      m.line.close();
    }
  }

  #deliver(frame: Uint8Array): void {
    if (this.#closed) return;
    const modbus = this.#modbusReply(frame);
    if (modbus !== undefined) {
      this.#reply(modbus, this.#turnaroundMs);
      return;
    }
    // Not a Modbus frame for a device of this bus: the meters hear it (and answer at once, as their slaves do).
    for (const m of this.#meters) {
      m.line.onReadable?.(frame);
      const replies = m.line.replies;
      m.line.replies = [];
      for (const reply of replies) this.#reply(reply, 0);
    }
  }

  /** A Modbus device's reply frame, or undefined when no Modbus device of the bus answers this frame. */
  #modbusReply(frame: Uint8Array): Uint8Array | undefined {
    if (frame.length < 4 || this.#modbus.size === 0 || !hasValidCrc(frame)) return undefined;
    const unit = frame[0];
    const pdu = frame.subarray(1, frame.length - 2);
    if (unit === 0) {
      // Broadcast: every device acts, none answers.
      for (const device of this.#modbus.values()) answerPdu(device, pdu);
      return new Uint8Array(0);
    }
    const device = this.#modbus.get(unit);
    return device === undefined ? undefined : withCrc(concatBytes(Uint8Array.of(unit), answerPdu(device, pdu)));
  }

  #reply(bytes: Uint8Array, afterMs: number): void {
    if (bytes.length === 0) return;
    if (afterMs > 0) {
      // The turnaround is a timer of its own, as the slave's is: the reply's delivery is then scheduled at the
      // same moment as over the wire, so it keeps its place among other timers due at the same instant.
      this.#clock.schedule(afterMs, () => {
        if (!this.#closed) this.#reply(bytes, 0);
      });
      return;
    }
    const now = this.#clock.now();
    const start = Math.max(now, this.#rxFree);
    this.#rxFree = start + bytes.length * this.#charMs;
    this.#clock.schedule(this.#rxFree - now, () => {
      if (!this.#closed) this.onReadable?.(bytes);
    });
  }
}

/** Every bus of a site on the register-image fast path; same options and device seeds as simulateSite. */
export function simulateSiteImage(site: SiteFile, manifests: ManifestLookup, clock: Clock, options: SimulatedDevicesOptions = {}): SiteSimulation<RegisterImageBus> {
  const buses = new Map<string, RegisterImageBus>();
  for (const bus of site.buses) buses.set(bus.id, new RegisterImageBus(bus, manifests, clock, options));
  return siteOver(buses, (bus) => bus);
}

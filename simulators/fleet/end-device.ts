/**
 * Direct LoRaWAN end devices of a district: the standalone smoke detectors,
 * waterlogging monitors, hydrant pressure sensors and manhole-cover sensors
 * deployed by the hundred thousand. Each is our class A MAC (OTAA, ADR) with
 * our framing: readings as compact batch frames, alarms as alert messages,
 * over LoraWanUplink (alarms jump the queue and go confirmed; reports go
 * unconfirmed, as battery sensors send them: a lost report is lost, and the
 * fleet report counts it). No gateway core, no RS-485: one timer per report
 * and one per alarm, so a device costs a few kilobytes and a few events an hour.
 *
 * Runtime-neutral apart from what the caller hands in (clock, radio, cipher).
 */
import type { ChannelTable } from '../../drivers/batch/channels.js';
import { BatchEncoder } from '../../drivers/batch/encoder.js';
import { encodeAlert } from '../../drivers/batch/alert.js';
import type { AlertEvent } from '../../drivers/gateway/events.js';
import { GATEWAY_DEFAULTS } from '../../drivers/gateway/gateway.js';
import { LoraWanUplink, type LoraWanMac } from '../../drivers/lorawan/mac/index.js';
import type { Clock, TimerHandle } from '../../drivers/ports/clock.js';


interface PointModel {
  point: string;
  unit: string;
  kind: 'number' | 'bool';
  decimals: number;
  /** Typical value and the size of a step of its random walk. */
  base: number;
  step: number;
  min: number;
  max: number;
}

export interface EndDeviceKind {
  /** Device id in its channel table, and the name in reports. */
  id: 'smoke-detector' | 'waterlogging-monitor' | 'hydrant-pressure' | 'manhole-cover';
  points: readonly PointModel[];
  /** The alarm rule (raised by an event, cleared some minutes later). */
  rule: string;
  /** Point the alarm is about and the value it carries when raised / cleared. */
  alarmPoint: string;
  alarmValue: number | boolean;
  clearValue: number | boolean;
  /** Report period range, minutes (each device draws its own). */
  reportMinutes: readonly [number, number];
  /** Mean alarms per device per day. */
  alarmsPerDay: number;
  /** Alarm lasts this many minutes before it clears. */
  alarmMinutes: number;
}

const battery: PointModel = { point: 'battery', unit: 'V', kind: 'number', decimals: 2, base: 3.6, step: 0.002, min: 2.8, max: 3.7 };

export const END_DEVICE_KINDS: readonly EndDeviceKind[] = [
  { id: 'smoke-detector', points: [{ point: 'smoke', unit: '', kind: 'bool', decimals: 0, base: 0, step: 0, min: 0, max: 1 }, battery], rule: 'smoke-alarm', alarmPoint: 'smoke', alarmValue: true, clearValue: false, reportMinutes: [30, 60], alarmsPerDay: 0.02, alarmMinutes: 10 },
  { id: 'waterlogging-monitor', points: [{ point: 'level', unit: 'cm', kind: 'number', decimals: 1, base: 2, step: 0.5, min: 0, max: 150 }, battery], rule: 'waterlogging', alarmPoint: 'level', alarmValue: 35, clearValue: 5, reportMinutes: [5, 15], alarmsPerDay: 0.1, alarmMinutes: 60 },
  { id: 'hydrant-pressure', points: [{ point: 'pressure', unit: 'bar', kind: 'number', decimals: 2, base: 4.2, step: 0.05, min: 0, max: 16 }, battery], rule: 'hydrant-pressure-low', alarmPoint: 'pressure', alarmValue: 1.1, clearValue: 4.2, reportMinutes: [10, 30], alarmsPerDay: 0.05, alarmMinutes: 30 },
  { id: 'manhole-cover', points: [{ point: 'tilt', unit: 'deg', kind: 'number', decimals: 1, base: 0.5, step: 0.1, min: 0, max: 90 }, { point: 'open', unit: '', kind: 'bool', decimals: 0, base: 0, step: 0, min: 0, max: 1 }, battery], rule: 'manhole-open', alarmPoint: 'open', alarmValue: true, clearValue: false, reportMinutes: [15, 60], alarmsPerDay: 0.05, alarmMinutes: 20 },
];

/** The channel table of one kind: its points, then its alarm rule (what the network server decodes with). */
export function endDeviceTable(kind: EndDeviceKind): ChannelTable {
  return {
    format: 1,
    channels: kind.points.map((p, index) => ({ index, device: kind.id, point: p.point, unit: p.unit, kind: p.kind, decimals: p.decimals, min: p.min, max: p.max })),
    rules: [{ index: 0, id: kind.rule, device: kind.id, point: kind.alarmPoint }],
  };
}

export interface EndDeviceOptions {
  kind: EndDeviceKind;
  table: ChannelTable;
  mac: LoraWanMac;
  clock: Clock;
  /** This device's own generator (report period, phase, values, alarm times). */
  random: () => number;
  /** Called when the device raises or clears an alarm (the fleet measures latency from here). */
  onAlert?: (alert: AlertEvent) => void;
  /** Called with the time (Unix ms) and channel indexes of the readings of every report handed to the MAC. */
  onReadings?: (t: number, channels: readonly number[]) => void;
}

export interface EndDeviceCounters {
  /** Readings framed and handed to the MAC. */
  samples: number;
  reports: number;
  /** Alarm events (raised and cleared). */
  alerts: number;
  /** Frames the MAC could not send (an alarm never acknowledged, a report refused). */
  sendFailures: number;
}

export class SimulatedEndDevice {
  readonly counters: EndDeviceCounters = { samples: 0, reports: 0, alerts: 0, sendFailures: 0 };
  readonly mac: LoraWanMac;
  readonly #o: EndDeviceOptions;
  readonly #uplink: LoraWanUplink;
  readonly #periodMs: number;
  readonly #values: number[];
  #alarmActive = false;
  #timers: TimerHandle[] = [];
  #closed = false;

  constructor(options: EndDeviceOptions) {
    this.#o = options;
    this.mac = options.mac;
    // The uplink's default: alarms confirmed, data unconfirmed. An end device keeps no log and asks for no
    // application ack (its frames carry no sequence number), so a report is sent once: at-most-once, as battery sensors do.
    this.#uplink = new LoraWanUplink(options.mac);
    const [lo, hi] = options.kind.reportMinutes;
    this.#periodMs = Math.round((lo + options.random() * (hi - lo)) * 60_000);
    this.#values = options.kind.points.map((p) => p.base);
  }

  /** Join, then report on the device's period (first report at a random phase) and raise alarms at random. */
  start(): void {
    this.#later(Math.floor(this.#o.random() * this.#periodMs), () => this.#report());
    this.#scheduleAlarm();
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) this.#o.clock.cancel(timer);
    this.#timers = [];
    this.mac.close();
  }

  #later(delayMs: number, work: () => void): void {
    const handle = this.#o.clock.schedule(delayMs, () => {
      this.#timers = this.#timers.filter((t) => t !== handle);
      if (!this.#closed) work();
    });
    this.#timers.push(handle);
  }

  #report(): void {
    this.#later(this.#periodMs, () => this.#report());
    const { kind, table, clock, random } = this.#o;
    const encoder = new BatchEncoder(table);
    const t = clock.unixTimeMs();
    kind.points.forEach((p, i) => {
      if (p.kind === 'number') this.#values[i] = Math.min(p.max, Math.max(p.min, this.#values[i] + (random() * 2 - 1) * p.step));
      const value = p.kind === 'bool' ? (p.point === kind.alarmPoint && this.#alarmActive) : roundTo(this.#values[i], p.decimals);
      encoder.add({ device: kind.id, point: p.point, t, value });
    });
    const readings = kind.points.length;
    const frames = encoder.flush(this.#uplink.maxPayloadBytes());
    if (encoder.pending > 0) {
      this.counters.sendFailures++;
      return;
    }
    this.counters.samples += readings;
    this.counters.reports++;
    this.#o.onReadings?.(t, table.channels.map((c) => c.index));
    for (const payload of frames) this.#send(payload, 'data');
  }

  #scheduleAlarm(): void {
    const meanMs = (24 * 3600_000) / this.#o.kind.alarmsPerDay;
    // Exponential gaps: alarms as a Poisson process of the kind's daily rate.
    this.#later(Math.floor(-Math.log(1 - this.#o.random()) * meanMs), () => this.#alarm(true));
  }

  #alarm(raised: boolean): void {
    const { kind, table, clock } = this.#o;
    this.#alarmActive = raised;
    const alert: AlertEvent = {
      rule: kind.rule,
      device: kind.id,
      point: kind.alarmPoint,
      level: 'critical',
      state: raised ? 'raised' : 'cleared',
      t: clock.unixTimeMs(),
      value: raised ? kind.alarmValue : kind.clearValue,
      message: `${kind.rule} ${raised ? 'raised' : 'cleared'}`,
    };
    this.counters.alerts++;
    this.#o.onAlert?.(alert);
    this.#send(encodeAlert(alert, table), 'alert');
    if (raised) this.#later(kind.alarmMinutes * 60_000, () => this.#alarm(false));
    else this.#scheduleAlarm();
  }

  #send(payload: Uint8Array, priority: 'alert' | 'data'): void {
    // The gateway's default FPorts, so one network-server application decodes both kinds of device.
    const port = priority === 'alert' ? GATEWAY_DEFAULTS.alertPort : GATEWAY_DEFAULTS.dataPort;
    this.#uplink.send({ payload, port, priority }).catch(() => {
      // An alarm the network never acknowledged is sent once more; a lost report stays lost (it is counted).
      this.counters.sendFailures++;
      if (priority === 'alert' && !this.#closed) this.#uplink.send({ payload, port, priority }).catch(() => this.counters.sendFailures++);
    });
  }
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

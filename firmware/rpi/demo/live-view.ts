/**
 * Live view of the demo gateway: on a terminal a table redrawn in place
 * (devices and their latest values, active alarms, uplink and store, what the
 * cloud decoded); elsewhere (CI logs, pipes, --plain) one line per poll, per
 * alert and per alert the cloud received. No dependencies: ANSI escapes only.
 */
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import type { PointReading } from '../../../drivers/devices/reading.js';
import type { AlertEvent } from '../../../drivers/gateway/events.js';
import type { GatewayStats } from '../../../drivers/gateway/gateway.js';
import type { SiteDevice, SiteFile } from '../../../drivers/gateway/site.js';
import type { PollResult } from '../../../drivers/scheduler/port-scheduler.js';
import type { DecodedAlert } from '../../../drivers/batch/alert.js';
import type { CloudView } from './cloud.js';

const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export function formatReading(reading: PointReading, unit: string | undefined): string {
  if (!reading.ok) return `ERR ${reading.error.code ?? reading.error.name}`;
  const value = typeof reading.value === 'boolean' ? (reading.value ? 'ON' : 'off') : formatNumber(reading.value);
  const shown = unit ?? reading.unit;
  return shown ? `${value} ${shown}` : value;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

export function formatSimTime(minutes: number): string {
  const total = Math.floor(minutes);
  return `day ${Math.floor(total / 1440) + 1} ${String(Math.floor((total % 1440) / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function alertText(alert: Pick<AlertEvent | DecodedAlert, 'rule' | 'level' | 'state' | 'value'>): string {
  const value = alert.value === undefined ? '' : ` (${typeof alert.value === 'number' ? formatNumber(alert.value) : String(alert.value)})`;
  return `${alert.level.toUpperCase()} ${alert.state} ${alert.rule}${value}`;
}

export interface LiveViewOptions {
  site: SiteFile;
  manifests: ReadonlyMap<string, DeviceManifest>;
  tty: boolean;
  write: (text: string) => void;
  simMinutes: () => number;
  stats: () => GatewayStats;
  cloud: () => CloudView;
  /** A line about the uplink itself (the LoRaWAN MAC's state), when there is one. */
  uplinkInfo?: () => string;
  /** Where the log lives, shown in the header. */
  dataDir: string;
}

export class LiveView {
  readonly #o: LiveViewOptions;
  readonly #devices = new Map<string, { device: SiteDevice; manifest: DeviceManifest | undefined; last?: PollResult }>();
  #polls = 0;
  #failedPoints = 0;

  constructor(options: LiveViewOptions) {
    this.#o = options;
    for (const bus of options.site.buses) for (const device of bus.devices) this.#devices.set(device.id, { device, manifest: options.manifests.get(device.manifest) });
  }

  get polls(): number {
    return this.#polls;
  }

  get failedPoints(): number {
    return this.#failedPoints;
  }

  /** Devices polled at least once. */
  get devicesSeen(): number {
    return [...this.#devices.values()].filter((d) => d.last !== undefined).length;
  }

  poll(result: PollResult): void {
    const row = this.#devices.get(result.device);
    if (row === undefined) return;
    row.last = result;
    this.#polls++;
    this.#failedPoints += Object.values(result.readings).filter((r) => !r.ok).length;
    if (!this.#o.tty) this.#line(`${result.bus} ${row.device.label ?? row.device.id} (${row.device.address}): ${this.#pointTexts(row.manifest, result).join(', ')}`);
  }

  alert(alert: AlertEvent): void {
    if (!this.#o.tty) this.#line(`ALERT ${alertText(alert)}`);
  }

  cloudAlert(alert: DecodedAlert): void {
    if (!this.#o.tty) this.#line(`cloud received alert: ${alertText(alert)}`);
  }

  render(): void {
    if (!this.#o.tty) return;
    const s = this.#o.stats();
    const cloud = this.#o.cloud();
    const lines: string[] = [];
    lines.push(`${BOLD}Axon gateway · ${this.#o.site.name}${RESET}   simulated ${formatSimTime(this.#o.simMinutes())}   ${DIM}Ctrl-C to stop${RESET}`);
    lines.push(`  pipeline: ${s.polls} polls, ${s.samples} samples, ${s.alerts} alert events · uplink ${s.uplink.state}${s.uplink.retryInMs === undefined ? '' : ` (retry in ${Math.ceil(s.uplink.retryInMs / 1000)} s)`}: ${s.framesSent} frames, ${s.alertsSent} alerts, ${s.statusSent} status, ${s.bytesSent} bytes`);
    lines.push(`  store: ${s.store.pendingAlerts} alerts + ${s.store.pendingReadings} frames pending${s.uplink.awaitingAck === undefined ? '' : ` (${s.uplink.awaitingAck} on the air awaiting the cloud's data-ack)`}, ${s.store.droppedReadings} dropped, ${s.store.usedBytes} / ${s.store.capacityBytes} bytes · ${s.queuedSamples} samples for the next batch · ${DIM}${this.#o.dataDir}${RESET}`);
    if (this.#o.uplinkInfo !== undefined) lines.push(`  uplink: ${this.#o.uplinkInfo()}`);
    lines.push(`  cloud (${cloud.via}, decoded with sdk/codec): ${cloud.frames} frames = ${cloud.readings} readings, ${cloud.alerts.length} alerts, ${cloud.bytes} bytes${cloud.lastStatus === undefined ? '' : `, last status: ${cloud.lastStatus.queued} queued, ${cloud.lastStatus.dropped} dropped`}${cloud.decodeErrors > 0 ? `${RED}, ${cloud.decodeErrors} undecodable${RESET}` : ''}`);
    lines.push('');
    lines.push(`  ${BOLD}active alarms${RESET}`);
    if (s.activeAlarms.length === 0) lines.push(`  ${GREEN}none${RESET}`);
    for (const alarm of s.activeAlarms) lines.push(`  ${alarm.level === 'critical' ? RED : YELLOW}${alarm.level.toUpperCase().padEnd(9)}${RESET}${alarm.rule}${alarm.acknowledged ? ' (acknowledged)' : ''}`);
    lines.push('');
    lines.push(`  ${'device'.padEnd(40)} ${'addr'.padEnd(14)} readings`);
    for (const { device, manifest, last } of this.#devices.values()) {
      const values = last === undefined ? `${DIM}not polled yet${RESET}` : this.#pointTexts(manifest, last, true).join('  ');
      lines.push(`  ${(device.label ?? device.id).slice(0, 40).padEnd(40)} ${String(device.address).padEnd(14)} ${values}`);
    }
    lines.push('');
    lines.push(`  ${BOLD}last alerts the cloud received${RESET}`);
    for (const alert of cloud.alerts.slice(-5)) lines.push(`  ${alertText(alert)}`);
    this.#o.write('\x1b[H\x1b[2J' + lines.join('\n') + '\n');
  }

  #line(text: string): void {
    this.#o.write(`[${formatSimTime(this.#o.simMinutes())}] ${text}\n`);
  }

  #pointTexts(manifest: DeviceManifest | undefined, result: PollResult, color = false): string[] {
    return (manifest?.points ?? [])
      .filter((p) => result.readings[p.id] !== undefined && p.role !== 'config')
      .map((p) => {
        const reading = result.readings[p.id];
        const text = `${p.id}=${formatReading(reading, p.unit)}`;
        if (!color) return text;
        const alarm = reading.ok && p.role === 'alarm' && reading.value === true;
        return !reading.ok || alarm ? `${RED}${text}${RESET}` : `${GREEN}${text}${RESET}`;
      });
  }
}

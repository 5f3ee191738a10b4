/**
 * Live view of the demo gateway: on a terminal a table redrawn in place
 * (devices and their latest values, active alarms, uplink and store, what the
 * cloud decoded); elsewhere (CI logs, pipes, --plain) one line per poll, per
 * alert and per alert the cloud received. No dependencies: ANSI escapes only.
 */
import type { DeviceManifest, DevicePoint } from '../../../drivers/devices/manifest.js';
import type { PointReading } from '../../../drivers/devices/reading.js';
import type { AlertEvent } from '../../../drivers/gateway/events.js';
import type { GatewayStats } from '../../../drivers/gateway/gateway.js';
import type { SiteDevice, SiteFile } from '../../../drivers/gateway/site.js';
import type { PollResult } from '../../../drivers/scheduler/port-scheduler.js';
import type { DecodedAlert } from '../../../drivers/batch/alert.js';
import type { AlertRuleConfig } from '../../../drivers/rules/config.js';
import type { ActiveAlarm } from '../../../drivers/rules/engine.js';
import type { CloudView } from './cloud.js';
import { formatPointValue, renderScreen, RED, RESET, type ScreenDevice } from './screen.js';

/** A reading for the plain log: the point's decimals and unit (the same text as the live table). */
export function formatReading(point: DevicePoint, reading: PointReading): string {
  return formatPointValue(point, reading);
}

export function formatSimTime(minutes: number): string {
  const total = Math.floor(minutes);
  return `day ${Math.floor(total / 1440) + 1} ${String(Math.floor((total % 1440) / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function alertText(alert: Pick<AlertEvent | DecodedAlert, 'rule' | 'level' | 'state' | 'value'>): string {
  const value = alert.value === undefined ? '' : ` (${String(alert.value)})`;
  return `${alert.level.toUpperCase()} ${alert.state} ${alert.rule}${value}`;
}

/** What the uplink is doing right now: a message handed to it whose send has not completed. */
export type InFlight = 'alert' | 'data' | 'status' | undefined;

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
  /** The site's rules with defaults applied, for each alarm's threshold. */
  rules: readonly AlertRuleConfig[];
  /** Simulated seconds per real second. */
  speed: number;
  /** The message the uplink is sending now, if any: the cloud may have it before the gateway counts it sent. */
  inFlight: () => InFlight;
  /** Whether the uplink is LoRaWAN (real-time radio) rather than MQTT. */
  radio: boolean;
  /** A line about the external broker (npm start --broker), when there is one. */
  mirrorInfo?: () => string;
  /** Terminal size; default 80×24. */
  size?: () => { columns: number; rows: number };
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
    const size = this.#o.size?.() ?? { columns: 80, rows: 24 };
    this.#o.write('\x1b[H\x1b[2J' + this.screen(size.columns, size.rows, true).join('\n'));
  }

  /** The live table as rows (drawn by render(); tests draw it at 80×24). */
  screen(columns: number, rows: number, color: boolean): string[] {
    const s = this.#o.stats();
    const cloud = this.#o.cloud();
    const status: string[] = [];
    const onAir = this.#o.inFlight();
    const retry = s.uplink.retryInMs === undefined ? '' : ` (retry in ${Math.ceil(s.uplink.retryInMs / 1000)} s)`;
    status.push(`uplink  ${this.#o.uplinkInfo?.() ?? 'MQTT'} · ${s.uplink.state}${retry}`);
    // Sent counts every completed transmission, resends included; the frame on the air counts once its send completes.
    status.push(`sent    ${s.framesSent} data frames, ${s.alertsSent} alerts, ${s.statusSent} status${onAir === undefined ? '' : ` · sending 1 ${onAir === 'data' ? 'data' : onAir} frame`}`);
    const repeats = cloud.repeatedReadings + cloud.repeatedAlerts;
    status.push(`cloud   ${cloud.readings} readings, ${cloud.alerts.length} alerts${repeats > 0 ? ` (+${repeats} copies of resent frames)` : ''}${cloud.decodeErrors > 0 ? `${RED}, ${cloud.decodeErrors} undecodable${RESET}` : ''}`);
    const awaiting = s.uplink.awaitingAck ?? 0;
    status.push(`store   ${s.store.pendingReadings} data frames, ${s.store.pendingAlerts} alerts kept${awaiting > 0 ? ` (${awaiting} await an ack)` : ''} · ${s.store.droppedReadings} dropped`);
    const backlog = s.store.pendingReadings - awaiting;
    if (this.#o.radio && backlog > 1) status.push(`        backlog ${backlog}: the site runs ${this.#o.speed}× real time, the radio 1× (airtime)`);
    else if (s.uplink.state === 'backoff') status.push('        backlog: uplink down; the log sends it all when it is back');
    if (this.#o.mirrorInfo !== undefined) status.push(`mirror  ${this.#o.mirrorInfo()}`);
    const devices: ScreenDevice[] = [...this.#devices.values()].map(({ device, manifest, last }) => ({
      id: device.id,
      label: device.label ?? device.id,
      manifest,
      ...(last === undefined ? {} : { readings: last.readings }),
    }));
    return renderScreen({
      title: `Axon gateway · ${this.#o.site.name}`,
      clock: `${formatSimTime(this.#o.simMinutes())} · ${this.#o.speed}×`,
      status,
      alarms: mostSevere(s.activeAlarms),
      rules: this.#o.rules,
      devices,
      footer: cloud.alerts.slice(-3).reverse().map((alert) => `cloud received: ${alertText(alert)}`),
    }, columns, rows, color);
  }

  #line(text: string): void {
    this.#o.write(`[${formatSimTime(this.#o.simMinutes())}] ${text}\n`);
  }

  #pointTexts(manifest: DeviceManifest | undefined, result: PollResult): string[] {
    return (manifest?.points ?? [])
      .filter((p) => result.readings[p.id] !== undefined && p.role !== 'config')
      .map((p) => `${p.id}=${formatReading(p, result.readings[p.id])}`);
  }
}

const SEVERITY: Record<string, number> = { critical: 2, warning: 1 };

/** One alarm per rule: a rule raised at warning and then critical is one alarm, at its most severe level. */
export function mostSevere(alarms: readonly ActiveAlarm[]): ActiveAlarm[] {
  const byRule = new Map<string, ActiveAlarm>();
  for (const alarm of alarms) {
    const held = byRule.get(alarm.rule);
    if (held === undefined || (SEVERITY[alarm.level] ?? 0) > (SEVERITY[held.level] ?? 0)) byRule.set(alarm.rule, alarm);
  }
  return [...byRule.values()].sort((a, b) => (SEVERITY[b.level] ?? 0) - (SEVERITY[a.level] ?? 0));
}

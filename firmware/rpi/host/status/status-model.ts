/**
 * What the status page, /api/status and /metrics show, gathered from the
 * gateway's events and stats: the latest reading of every point with its
 * unit, active alarms, the uplink and the store backlog, and per bus the
 * polls, the failed ones by reason and how busy the line is.
 *
 * onEvent runs for every poll, so its success path allocates nothing: it keeps
 * a reference to the poll the scheduler built and adds to counters. Only a
 * poll with failed points is looked at more closely.
 */
import type { DeviceManifest } from '../../../../drivers/devices/manifest.js';
import type { PointReading } from '../../../../drivers/devices/reading.js';
import type { Gateway, GatewayEvent, GatewayStats } from '../../../../drivers/gateway/gateway.js';
import { describePollFailures, failedPointCount, failureReason, POLL_FAILURE_REASONS, summarizePollFailures, type PollFailureReason } from '../../../../drivers/gateway/poll-failure.js';
import type { SiteFile } from '../../../../drivers/gateway/site.js';
import type { PollResult } from '../../../../drivers/scheduler/port-scheduler.js';
import type { GatewayStatus, StatusBus, StatusDevice, StatusPoint } from './status-types.js';

export type { GatewayStatus } from './status-types.js';

/** Utilisation is measured over this window (a sample every UTILISATION_STEP_MS). */
const UTILISATION_WINDOW_MS = 60_000;
const UTILISATION_STEP_MS = 5_000;

interface BusActivity {
  readonly id: string;
  readonly port: string;
  readonly line: string;
  readonly devices: string[];
  polls: number;
  failedPolls: number;
  partialPolls: number;
  busyMs: number;
  readonly failures: Record<PollFailureReason, number>;
  lastFailure: { device: string; atMs: number; text: string } | undefined;
  /** (time, busyMs) samples for the utilisation window, oldest first. */
  readonly samples: Array<{ atMs: number; busyMs: number }>;
}

interface DeviceRecord {
  readonly id: string;
  readonly label: string | undefined;
  readonly bus: string;
  readonly manifest: DeviceManifest | undefined;
  latest: PollResult | undefined;
  /** The last poll that read at least one point: failed points show its value, marked stale. */
  lastGood: PollResult | undefined;
}

export interface StatusModelOptions {
  site: SiteFile;
  manifests: ReadonlyMap<string, DeviceManifest>;
  gatewayId: string;
  /** The port each bus is reached on (host config over site file). */
  busPort(busId: string): string;
  /** The uplink's start-up description and, for MQTT, whether the broker is connected. */
  uplink: { kind: string; describe: string; connected?: () => boolean };
  now?: () => number;
}

function zeroReasons(): Record<PollFailureReason, number> {
  const counts = {} as Record<PollFailureReason, number>;
  for (const reason of POLL_FAILURE_REASONS) counts[reason] = 0;
  return counts;
}

export class StatusModel {
  readonly startedAtMs: number;
  readonly #o: StatusModelOptions;
  readonly #now: () => number;
  readonly #buses = new Map<string, BusActivity>();
  readonly #devices = new Map<string, DeviceRecord>();
  readonly #raisedAt = new Map<string, number>();
  readonly #sampler: NodeJS.Timeout;
  #gateway: Gateway | undefined;

  constructor(options: StatusModelOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.startedAtMs = this.#now();
    for (const bus of options.site.buses) {
      this.#buses.set(bus.id, {
        id: bus.id,
        port: options.busPort(bus.id),
        line: `${bus.baud} ${bus.dataBits ?? 8}${bus.parity[0].toUpperCase()}${bus.stopBits}`,
        devices: bus.devices.map((d) => d.id),
        polls: 0,
        failedPolls: 0,
        partialPolls: 0,
        busyMs: 0,
        failures: zeroReasons(),
        lastFailure: undefined,
        samples: [{ atMs: this.startedAtMs, busyMs: 0 }],
      });
      for (const device of bus.devices) {
        this.#devices.set(device.id, { id: device.id, label: device.label, bus: bus.id, manifest: options.manifests.get(device.manifest), latest: undefined, lastGood: undefined });
      }
    }
    this.#sampler = setInterval(() => this.#sample(), UTILISATION_STEP_MS);
    this.#sampler.unref();
  }

  /** The gateway the model reads stats from and acknowledges through (built after the model: it takes onEvent). */
  attach(gateway: Gateway): void {
    this.#gateway = gateway;
  }

  onEvent(event: GatewayEvent): void {
    if (event.kind === 'poll') this.#onPoll(event.poll);
    else if (event.kind === 'alert') {
      const key = `${event.alert.rule}|${event.alert.level}`;
      if (event.alert.state === 'raised') this.#raisedAt.set(key, event.alert.t);
      else if (event.alert.state === 'cleared') this.#raisedAt.delete(key);
    }
  }

  /** Acknowledge an active alarm, as the acknowledge downlink does. Levels newly acknowledged. */
  acknowledge(rule: string, level?: 'warning' | 'critical'): number {
    return this.#gateway?.acknowledge(rule, level) ?? 0;
  }

  /** Whether `rule` names an alarm that is active now. */
  isActive(rule: string): boolean {
    return this.#gateway?.stats().activeAlarms.some((a) => a.rule === rule) ?? false;
  }

  close(): void {
    clearInterval(this.#sampler);
  }

  #onPoll(poll: PollResult): void {
    const device = this.#devices.get(poll.device);
    const bus = this.#buses.get(poll.bus);
    if (device === undefined || bus === undefined) return;
    device.latest = poll;
    bus.polls++;
    bus.busyMs += poll.durationMs;
    const failed = failedPointCount(poll.readings);
    if (failed === 0) {
      device.lastGood = poll;
      return;
    }
    const summary = summarizePollFailures(poll);
    if (summary === undefined) return;
    if (failed === summary.total) bus.failedPolls++;
    else {
      bus.partialPolls++;
      device.lastGood = poll;
    }
    const seen = new Set<PollFailureReason>();
    for (const group of summary.groups) seen.add(group.reason);
    for (const reason of seen) bus.failures[reason]++;
    bus.lastFailure = { device: poll.device, atMs: this.#now(), text: describePollFailures(summary) };
  }

  #sample(): void {
    const now = this.#now();
    for (const bus of this.#buses.values()) {
      bus.samples.push({ atMs: now, busyMs: bus.busyMs });
      while (bus.samples.length > 2 && now - bus.samples[1].atMs >= UTILISATION_WINDOW_MS) bus.samples.shift();
    }
  }

  snapshot(): GatewayStatus {
    const now = this.#now();
    const stats: GatewayStats | undefined = this.#gateway?.stats();
    const site = this.#o.site;
    return {
      gateway: { id: this.#o.gatewayId, site: { id: site.id, name: site.name }, startedAt: new Date(this.startedAtMs).toISOString(), now: new Date(now).toISOString(), uptimeS: Math.round((now - this.startedAtMs) / 1000) },
      uplink: {
        kind: this.#o.uplink.kind,
        describe: this.#o.uplink.describe,
        state: stats?.uplink.state ?? 'stopped',
        ...(this.#o.uplink.connected === undefined ? {} : { connected: this.#o.uplink.connected() }),
        ...(stats?.uplink.retryInMs === undefined ? {} : { retryInMs: stats.uplink.retryInMs }),
        ...(stats?.uplink.lastError === undefined ? {} : { lastError: stats.uplink.lastError }),
        framesSent: stats?.framesSent ?? 0,
        alertsSent: stats?.alertsSent ?? 0,
        statusSent: stats?.statusSent ?? 0,
        bytesSent: stats?.bytesSent ?? 0,
        sendFailures: stats?.sendFailures ?? 0,
      },
      store: {
        pendingAlerts: stats?.store.pendingAlerts ?? 0,
        pendingReadings: stats?.store.pendingReadings ?? 0,
        droppedReadings: stats?.store.droppedReadings ?? 0,
        usedBytes: stats?.store.usedBytes ?? 0,
        capacityBytes: stats?.store.capacityBytes ?? 0,
        queuedSamples: stats?.queuedSamples ?? 0,
      },
      counters: {
        polls: stats?.polls ?? 0,
        failedPolls: stats?.failedPolls ?? 0,
        samples: stats?.samples ?? 0,
        alertEvents: stats?.alerts ?? 0,
        refusedDownlinks: stats?.refusedDownlinks ?? 0,
      },
      alarms: (stats?.activeAlarms ?? []).map((alarm) => {
        const raisedAt = this.#raisedAt.get(`${alarm.rule}|${alarm.level}`);
        return { ...alarm, ...(raisedAt === undefined ? {} : { raisedAt: new Date(raisedAt).toISOString() }) };
      }),
      buses: [...this.#buses.values()].map((bus) => this.#busStatus(bus, now)),
      devices: [...this.#devices.values()].map((device) => deviceStatus(device)),
    };
  }

  #busStatus(bus: BusActivity, now: number): StatusBus {
    const oldest = bus.samples[0];
    const spanMs = now - oldest.atMs;
    const utilisation = spanMs <= 0 ? 0 : Math.min(1, (bus.busyMs - oldest.busyMs) / spanMs);
    const failures: Partial<Record<PollFailureReason, number>> = {};
    for (const reason of POLL_FAILURE_REASONS) if (bus.failures[reason] > 0) failures[reason] = bus.failures[reason];
    return {
      id: bus.id,
      port: bus.port,
      line: bus.line,
      devices: bus.devices,
      polls: bus.polls,
      failedPolls: bus.failedPolls,
      partialPolls: bus.partialPolls,
      busySeconds: bus.busyMs / 1000,
      utilisation: Math.round(utilisation * 1000) / 1000,
      failures,
      ...(bus.lastFailure === undefined ? {} : { lastFailure: { device: bus.lastFailure.device, at: new Date(bus.lastFailure.atMs).toISOString(), text: bus.lastFailure.text } }),
    };
  }
}

function pointStatus(id: string, name: string, manifestUnit: string | undefined, reading: PointReading | undefined, lastGood: PointReading | undefined): StatusPoint {
  const point: StatusPoint = { id, name, unit: manifestUnit ?? '', ok: reading?.ok ?? false };
  if (reading?.ok === true) {
    point.value = reading.value;
    if (reading.unit !== undefined) point.unit = reading.unit;
    return point;
  }
  if (reading !== undefined && !reading.ok) {
    const error = reading.error;
    point.error = { reason: failureReason(error), code: error.code ?? 'UNKNOWN', message: error.message };
  }
  if (lastGood?.ok === true) {
    point.value = lastGood.value;
    point.stale = true;
  }
  return point;
}

function deviceStatus(device: DeviceRecord): StatusDevice {
  const latest = device.latest;
  const points: StatusPoint[] = [];
  for (const point of device.manifest?.points ?? []) {
    const reading = latest?.readings[point.id];
    if (latest !== undefined && reading === undefined) continue; // not polled (disabled in the site file)
    // Config points (slave address, range) are read once for decoding and are no readings; a failed poll lists them too.
    if (point.role === 'config' && reading?.ok !== true) continue;
    points.push(pointStatus(point.id, point.name, point.unit, reading, device.lastGood?.readings[point.id]));
  }
  const status: StatusDevice = {
    id: device.id,
    bus: device.bus,
    manifest: device.manifest?.id ?? '',
    ok: latest !== undefined && failedPointCount(latest.readings) === 0,
    points,
  };
  if (device.label !== undefined) status.label = device.label;
  if (device.manifest !== undefined) status.model = device.manifest.name;
  if (latest !== undefined) {
    status.lastPoll = new Date(latest.t).toISOString();
    status.pollMs = Math.round(latest.durationMs);
  }
  return status;
}

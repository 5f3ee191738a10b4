/**
 * `GET /metrics`: the gateway's status in the Prometheus text exposition
 * format (version 0.0.4): one HELP and one TYPE line per metric family, then
 * its samples. Counters end in `_total` and only grow while the gateway runs;
 * gauges are the state now. Label values are escaped as the format says.
 */
import type { GatewayStatus } from './status-types.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;
type Sample = [Labels, number];

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

class Exposition {
  readonly #lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge', help: string, samples: readonly Sample[]): void {
    this.#lines.push(`# HELP ${name} ${help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const pairs = Object.entries(labels).map(([key, v]) => `${key}="${escapeLabel(v)}"`);
      this.#lines.push(`${name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${formatValue(value)}`);
    }
  }

  text(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

export interface ProcessFigures {
  residentBytes: number;
  cpuSeconds: number;
  heapBytes: number;
}

export function processFigures(): ProcessFigures {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return { residentBytes: memory.rss, cpuSeconds: (cpu.user + cpu.system) / 1e6, heapBytes: memory.heapUsed };
}

const UPLINK_STATES = ['idle', 'sending', 'backoff', 'stopped'];

export function renderMetrics(status: GatewayStatus, process: ProcessFigures): string {
  const m = new Exposition();
  const gw = { gateway: status.gateway.id };
  m.family('axon_gateway_info', 'gauge', 'Gateway and site (value 1).', [[{ ...gw, site: status.gateway.site.id }, 1]]);
  m.family('axon_gateway_start_time_seconds', 'gauge', 'Unix time the gateway started.', [[gw, Date.parse(status.gateway.startedAt) / 1000]]);

  m.family('axon_polls_total', 'counter', 'Device polls, per bus.', status.buses.map((b) => [{ bus: b.id }, b.polls]));
  m.family('axon_polls_failed_total', 'counter', 'Polls in which no point could be read, per bus.', status.buses.map((b) => [{ bus: b.id }, b.failedPolls]));
  m.family('axon_polls_partial_total', 'counter', 'Polls in which some points could not be read, per bus.', status.buses.map((b) => [{ bus: b.id }, b.partialPolls]));
  m.family('axon_poll_failures_total', 'counter', 'Polls with failed points, per bus and reason (timeout, crc, exception, late-reply, ...).', status.buses.flatMap((b) =>
    Object.entries(b.failures).map(([reason, count]): Sample => [{ bus: b.id, reason }, count ?? 0])));
  m.family('axon_bus_busy_seconds_total', 'counter', 'Time each bus spent on polls (rate() of it is the utilisation).', status.buses.map((b) => [{ bus: b.id }, b.busySeconds]));
  m.family('axon_bus_utilisation_ratio', 'gauge', 'Share of the last minute each bus spent on polls.', status.buses.map((b) => [{ bus: b.id }, b.utilisation]));

  m.family('axon_samples_total', 'counter', 'Valid readings queued for batches.', [[gw, status.counters.samples]]);
  m.family('axon_alert_events_total', 'counter', 'Alert events raised, cleared or acknowledged.', [[gw, status.counters.alertEvents]]);
  m.family('axon_downlinks_refused_total', 'counter', 'Downlinks refused (malformed, unknown target, out of bounds).', [[gw, status.counters.refusedDownlinks]]);

  const up = status.uplink;
  m.family('axon_uplink_sent_frames_total', 'counter', 'Reading frames the uplink delivered.', [[gw, up.framesSent]]);
  m.family('axon_uplink_sent_alerts_total', 'counter', 'Alerts the uplink delivered.', [[gw, up.alertsSent]]);
  m.family('axon_uplink_sent_status_total', 'counter', 'Status messages the uplink delivered.', [[gw, up.statusSent]]);
  m.family('axon_uplink_sent_bytes_total', 'counter', 'Payload bytes the uplink delivered.', [[gw, up.bytesSent]]);
  m.family('axon_uplink_send_failures_total', 'counter', 'Sends that failed and wait in the store for a retry.', [[gw, up.sendFailures]]);
  m.family('axon_uplink_state', 'gauge', 'The uplink sender state (1 for the current one).', UPLINK_STATES.map((state) => [{ ...gw, state }, up.state === state ? 1 : 0]));
  if (up.connected !== undefined) m.family('axon_uplink_connected', 'gauge', 'Whether the MQTT broker connection is up (1) or not (0).', [[gw, up.connected ? 1 : 0]]);

  const store = status.store;
  m.family('axon_store_pending_alerts', 'gauge', 'Alerts waiting in the store-and-forward log.', [[gw, store.pendingAlerts]]);
  m.family('axon_store_pending_frames', 'gauge', 'Reading frames waiting in the store-and-forward log.', [[gw, store.pendingReadings]]);
  m.family('axon_store_queued_samples', 'gauge', 'Readings waiting for the next batch flush.', [[gw, store.queuedSamples]]);
  m.family('axon_store_used_bytes', 'gauge', 'Bytes the log uses.', [[gw, store.usedBytes]]);
  m.family('axon_store_capacity_bytes', 'gauge', 'Bytes the log may use.', [[gw, store.capacityBytes]]);
  m.family('axon_store_readings_dropped_total', 'counter', 'Readings dropped because the log was full (oldest first).', [[gw, store.droppedReadings]]);

  m.family('axon_alarms_active', 'gauge', 'Active alarms by level and whether acknowledged.', (['warning', 'critical'] as const).flatMap((level) =>
    [false, true].map((acknowledged): Sample => [{ ...gw, level, acknowledged: String(acknowledged) }, status.alarms.filter((a) => a.level === level && a.acknowledged === acknowledged).length])));
  m.family('axon_alarm_active', 'gauge', 'One sample per active alarm (value 1).', status.alarms.map((a) => [{ rule: a.rule, device: a.device, level: a.level, acknowledged: String(a.acknowledged) }, 1]));

  m.family('axon_device_up', 'gauge', 'Whether the last poll of the device read every point (1) or not (0).', status.devices.map((d) => [{ device: d.id, bus: d.bus }, d.ok ? 1 : 0]));
  m.family('axon_reading', 'gauge', 'The latest value of every point read (booleans as 0/1).', status.devices.flatMap((d) =>
    d.points.filter((p) => p.ok && p.value !== undefined).map((p): Sample => [{ device: d.id, point: p.id, unit: p.unit }, Number(p.value)])));

  m.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[{}, process.residentBytes]]);
  m.family('process_cpu_seconds_total', 'counter', 'User and system CPU time spent in seconds.', [[{}, process.cpuSeconds]]);
  m.family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, bytes.', [[{}, process.heapBytes]]);
  return m.text();
}

/**
 * `axon gateway status`: what a running gateway is doing, from its status
 * page's /api/status (docs/rpi-gateway.md, "Status page"): a readable summary
 * (uplink, store backlog, active alarms, buses with failed polls by reason,
 * live readings with units), or the JSON itself with --json. Loads nothing of
 * the gateway: it is a small HTTP client, safe next to the running service.
 */
import { AxonError } from '../../../drivers/errors.js';
import type { GatewayStatus, StatusBus, StatusDevice } from '../../../firmware/rpi/host/status/status-types.js';
import { UsageError } from '../args.js';
import type { Command, CommandIo } from '../command.js';

const NAME = 'gateway status';
const DEFAULT_URL = 'http://127.0.0.1:8080/';
const TIMEOUT_MS = 5000;

function statusUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--url "${base}" is not a URL (e.g. ${DEFAULT_URL})`, NAME);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http:// or https://, not ${url.protocol}`, NAME);
  return new URL('api/status', url.href.endsWith('/') ? url : new URL(`${url.href}/`));
}

async function fetchStatus(url: URL, token: string | undefined): Promise<GatewayStatus> {
  const where = `${url.origin}${url.pathname}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new AxonError('STATUS_UNREACHABLE', `no answer from the gateway's status page (${cause})`, {
      where,
      fix: 'check that `axon gateway run` is running (systemctl status axon-gateway) and that --url matches status.listen in its host config (default 127.0.0.1:8080)',
    });
  }
  if (response.status === 401) {
    throw new AxonError('STATUS_UNAUTHORIZED', 'the status page refused the request: it needs its token', { where, fix: 'give --token <token> (status.token in the host config), or set AXON_STATUS_TOKEN' });
  }
  if (!response.ok) throw new AxonError('STATUS_HTTP', `the status page answered HTTP ${response.status}`, { where, fix: 'check --url: it is the address of the status page, e.g. http://127.0.0.1:8080/' });
  try {
    return (await response.json()) as GatewayStatus;
  } catch {
    throw new AxonError('STATUS_NOT_JSON', 'the answer is not the JSON of an Axon status page', { where, fix: 'check --url: it should point at `axon gateway run`\'s status page' });
  }
}

function duration(s: number): string {
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
}

const clock = (iso: string | undefined) => (iso === undefined ? '—' : iso.slice(11, 19));

function value(v: number | boolean | undefined): string {
  if (v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'ON' : 'off';
  return String(Number.isInteger(v) ? v : Math.round(v * 1000) / 1000);
}

function busLines(bus: StatusBus): string[] {
  const reasons = Object.entries(bus.failures).map(([reason, n]) => `${reason} ${n}`).join(', ');
  const lines = [`  ${bus.id}  ${bus.port}  ${bus.line}  utilisation ${(bus.utilisation * 100).toFixed(1)} %  polls ${bus.polls}, failed ${bus.failedPolls}, partial ${bus.partialPolls}${reasons === '' ? '' : `  (${reasons})`}`];
  if (bus.lastFailure !== undefined) lines.push(`      last failure ${clock(bus.lastFailure.at)} ${bus.lastFailure.device}: ${bus.lastFailure.text}`);
  return lines;
}

function deviceLines(device: StatusDevice): string[] {
  const state = device.lastPoll === undefined ? 'not polled yet' : device.ok ? 'ok' : device.points.some((p) => p.ok) ? 'partial' : 'no reply';
  const title = `${device.id}${device.label === undefined ? '' : ` (${device.label})`}`;
  const lines = [`  ${title}  ${state}  last poll ${clock(device.lastPoll)}`];
  const width = Math.max(0, ...device.points.map((p) => p.id.length));
  for (const point of device.points) {
    const shown = `${value(point.value)}${point.unit === '' || point.value === undefined ? '' : ` ${point.unit}`}`;
    const note = point.error === undefined ? '' : `  (${point.error.reason}${point.stale === true ? ', last good value' : ''})`;
    lines.push(`    ${point.id.padEnd(width)}  ${shown}${note}`);
  }
  return lines;
}

/** The summary `axon gateway status` prints. */
export function formatStatus(s: GatewayStatus): string[] {
  const up = s.uplink;
  const link = up.connected === undefined ? '' : up.connected ? ', broker connected' : ', broker NOT connected';
  const lastError = up.lastError !== undefined && up.state === 'backoff' ? ` — ${up.lastError}` : '';
  const unacked = s.alarms.filter((a) => !a.acknowledged).length;
  return [
    `gateway ${s.gateway.id}: site ${s.gateway.site.id} (${s.gateway.site.name}), up ${duration(s.gateway.uptimeS)}`,
    `uplink  ${up.kind} ${up.state}${link}; sent ${up.framesSent} frames, ${up.alertsSent} alerts, ${up.statusSent} status (${bytes(up.bytesSent)}), ${up.sendFailures} send failures${lastError}`,
    `store   ${s.store.pendingAlerts} alerts + ${s.store.pendingReadings} frames waiting, ${s.store.queuedSamples} readings for the next batch; ${bytes(s.store.usedBytes)} of ${bytes(s.store.capacityBytes)}; ${s.store.droppedReadings} readings dropped`,
    `polls   ${s.counters.polls} (${s.counters.failedPolls} failed), ${s.counters.samples} samples`,
    `alarms  ${s.alarms.length === 0 ? 'none active' : `${s.alarms.length} active, ${unacked} not acknowledged`}`,
    ...s.alarms.map((a) => `  ${a.level.toUpperCase().padEnd(8)}  ${a.rule}  ${a.device}${a.point === undefined ? '' : `.${a.point}`}  ${a.acknowledged ? 'acknowledged' : 'NOT acknowledged'}${a.raisedAt === undefined ? '' : `  raised ${clock(a.raisedAt)}`}`),
    'buses',
    ...s.buses.flatMap(busLines),
    'readings',
    ...s.devices.flatMap(deviceLines),
  ];
}

function print(io: CommandIo, status: GatewayStatus, json: boolean): void {
  if (json) io.out(JSON.stringify(status, null, 2));
  else for (const line of formatStatus(status)) io.out(line);
}

export const gatewayStatus: Command = {
  group: 'gateway',
  name: 'status',
  summary: "show what a running gateway is doing: uplink, store backlog, alarms, buses and failed polls, live readings",
  usage: '[--url <url>] [--token <token>] [--json]',
  flags: {
    url: { type: 'string', value: '<url>', description: "the gateway's status page (status.listen in its host config)", default: DEFAULT_URL },
    token: { type: 'string', value: '<token>', description: 'the status page token, when it has one (status.token); default $AXON_STATUS_TOKEN' },
    json: { type: 'boolean', description: 'print the /api/status JSON as it came (for scripts and jq)' },
  },
  details: [
    'Reads GET <url>/api/status of a running `axon gateway run` and prints a summary: the uplink and its broker',
    'connection, the store-and-forward backlog, active alarms (acknowledge them on the status page), each bus with its',
    'utilisation over the last minute and its failed polls by reason (timeout, crc, exception, late-reply, …), and the',
    'latest reading of every point with its unit. Exit code 0 when the gateway answered, 1 when it did not.',
  ].join('\n'),
  examples: [
    'axon gateway status',
    'axon gateway status --json | jq \'.buses[] | {id, utilisation, failures}\'',
    'axon gateway status --url http://10.0.8.21:8080/ --token "$(cat ~/.axon-status-token)"',
  ],

  async run({ flags }, io) {
    const url = statusUrl(flags.string('url') ?? DEFAULT_URL);
    const token = flags.string('token') ?? (process.env.AXON_STATUS_TOKEN === '' ? undefined : process.env.AXON_STATUS_TOKEN);
    print(io, await fetchStatus(url, token), flags.bool('json'));
    return 0;
  },
};

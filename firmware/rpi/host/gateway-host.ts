/**
 * The production Raspberry Pi gateway: the core's Gateway on a site file and
 * this Pi's host config, with Node's ports around it.
 *
 *   /dev/serial/by-id/… or tcp://… ─ ReconnectingStream ─┐
 *   GPIO (libgpiod; sysfs) ◄─ GpiodOutput, SysfsGpioOutput ◄┤
 *   <data>/kv, <data>/log ◄─► NodeKeyValueStore, NodeFileSystem ─┼─ Gateway ─► MQTT or NB-IoT (host-uplink.ts)
 *   NodeClock ─────────────────────────────────────────────┘
 *
 * Nothing here is protocol or policy: that is drivers/. A port that is missing
 * or unplugged, a broker that is down, a modem without coverage: the gateway
 * starts anyway, polls what it can, raises local alarms and keeps the rest in
 * its log; each link comes back by itself and says so in the log.
 */
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { Gateway, type GatewayStats } from '../../../drivers/gateway/gateway.js';
import type { BusConfig, SiteFile } from '../../../drivers/gateway/site.js';
import type { DigitalOutput } from '../../../drivers/ports/digital.js';
import { NodeClock } from '../ports/node-clock.js';
import { ReconnectingStream } from '../ports/reconnecting-stream.js';
import { openSerialStream } from '../ports/serial-stream.js';
import { GpiodToolsAccess } from '../ports/gpiod-tools.js';
import { connectTcpStream } from '../ports/tcp-stream.js';
import { hostStorePorts, tightenDirectory } from '../storage/index.js';
import { busPortOf, parseBusPort } from './bus-port.js';
import { hostBusTiming } from './bus-timing.js';
import { lockDataDirectory } from './data-dir-lock.js';
import { logGatewayEvent } from './gateway-log.js';
import type { HostConfig } from './host-config.js';
import type { HostLog } from './host-log.js';
import { startHostUplink } from './host-uplink.js';
import { startStatus, type HostStatus } from './status/host-status.js';
import { describeHostOutput, openHostOutput } from './host-outputs.js';
import { openFirmataBoards, type FirmataBoards } from './host-firmata.js';

export interface GatewayHostOptions {
  site: SiteFile;
  manifests: ReadonlyMap<string, DeviceManifest>;
  config: HostConfig;
  /** Holds the log (`log/`), the meta store (`kv/`) and gateway.pid. Created if missing; private to the gateway user (0700, files 0600). */
  dataDir: string;
  /** Structured log (host-log.ts): one record per thing worth a journal line. */
  log: HostLog;
}

export interface GatewayHost {
  gateway: Gateway;
  /** Start-up summary lines. */
  describe(): string[];
  /** The status page, when it is on and listening. */
  readonly status: HostStatus;
  /** One line: polls, alarms, what was sent, the log, the uplink. */
  report(): string;
  /** Flush, make acknowledgements durable, release ports, uplink and lock. Resolves with a summary. */
  stop(): Promise<string>;
}

function busPort(bus: BusConfig, config: HostConfig): string {
  return busPortOf(bus, config).port;
}

function openBus(bus: BusConfig, config: HostConfig, log: HostLog): ReconnectingStream {
  const port = busPort(bus, config);
  const line = { baud: bus.baud, parity: bus.parity, stopBits: bus.stopBits, dataBits: bus.dataBits ?? 8 };
  const link = parseBusPort(port, bus.id);
  return new ReconnectingStream({
    where: port,
    // Over TCP the converter owns the line settings; the core still times frames by them.
    line,
    retryMs: config.buses?.[bus.id]?.reopenMs,
    open: link.kind === 'tcp' ? () => connectTcpStream({ host: link.host, port: link.port }) : () => openSerialStream({ path: port, ...line }),
    onState: (state, error) => {
      const line = `bus ${bus.id} (${port}): ${state}${error === undefined ? '' : ` — ${error.message}`}`;
      const fields = { bus: bus.id, port, state, ...(error === undefined ? {} : { code: (error as { code?: string }).code }) };
      if (error === undefined) log.info('bus', line, fields);
      else log.warn('bus', line, fields);
    },
  });
}

/**
 * Start the gateway. The inputs have passed the preflight (preflight.ts);
 * what is left to refuse is another gateway on the data directory.
 */
export async function startGatewayHost(options: GatewayHostOptions): Promise<GatewayHost> {
  const { site, config, log } = options;
  const tightened = tightenDirectory(options.dataDir);
  if (tightened.length > 0) log.info('data-dir', `data directory ${options.dataDir}: made ${tightened.length} entries private to the gateway user (directories 0700, files 0600)`);
  const lock = await lockDataDirectory(options.dataDir);
  const unlock = () => lock.release();
  const clock = new NodeClock();
  const gatewayId = config.gatewayId ?? site.id;
  const opened: Array<{ close(): void }> = [];
  let uplink: ReturnType<typeof startHostUplink> | undefined;
  let status: HostStatus | undefined;
  let boards: FirmataBoards | undefined;
  try {
    const outputs: Record<string, DigitalOutput> = {};
    let gpiod: GpiodToolsAccess | undefined;
    const chipAccess = () => (gpiod ??= new GpiodToolsAccess({ onError: (line, error) => log.warn('output', `gpio ${line.chip} line ${line.offset}: ${error.message}`) }));
    // Firmata relay boards first: a relay board that cannot be opened stops the start, with its fix.
    boards = await openFirmataBoards(config, (line) => log.info('output', line), (line) => log.error('output', line));
    for (const output of site.outputs ?? []) outputs[output.id] = openHostOutput(output, config, chipAccess, boards);
    const firmata = boards;
    // Syncs grouped off the event loop: an alarm burst must not stall polling (group-commit.ts).
    const { groupCommit, ...storePorts } = hostStorePorts(options.dataDir, (error) => log.error('error', `storage: a disk sync failed: ${error.message}`));
    let gateway: Gateway | undefined;
    const channels = () => {
      if (gateway === undefined) throw new Error('the uplink sent before the gateway was built');
      return gateway.channelTable;
    };
    uplink = startHostUplink(site, config, gatewayId, clock, (line, level = 'info') => log[level]('uplink', line), storePorts.meta, channels);
    const hostUplink = uplink;
    status = startStatus({ site, manifests: options.manifests, config, gatewayId, uplink: hostUplink, log });
    const hostStatus = status;
    gateway = new Gateway({
      site,
      manifests: options.manifests,
      clock,
      openPort: (bus) => {
        const stream = openBus(bus, config, log);
        opened.push(stream);
        return stream;
      },
      ...storePorts,
      outputs,
      uplink: hostUplink.port,
      flushEveryMs: config.gateway?.flushEveryMs,
      statusEveryMs: config.gateway?.statusEveryMs,
      storeCapacityBytes: config.gateway?.storeCapacityBytes,
      // The jitter of alert copies: this gateway's own, so the gateways of a district do not send them in step.
      random: Math.random,
      ...hostBusTiming(),
      onEvent: (event) => {
        hostStatus.model?.onEvent(event);
        logGatewayEvent(log, event);
      },
    });
    hostStatus.model?.attach(gateway);
    gateway.start();
    await hostStatus.listen();
    const hostReport = () => [reportLine(gateway.stats()), hostUplink.report?.()].filter((part) => part !== undefined).join('; ');
    return {
      gateway,
      status: hostStatus,
      describe: () => [
        `gateway ${gatewayId}: site ${site.id} (${site.name}), data in ${options.dataDir}`,
        ...site.buses.map((bus) => `bus ${bus.id} on ${busPort(bus, config)} at ${bus.baud} ${bus.dataBits ?? 8}${bus.parity[0].toUpperCase()}${bus.stopBits}: ${bus.devices.map((d) => d.id).join(', ')}`),
        ...(site.outputs ?? []).map((o) => `output ${o.id} (${o.kind}) ${describeHostOutput(o, config)}`),
        `uplink: ${hostUplink.describe}`,
        hostStatus.describe(),
      ],
      report: () => hostReport(),
      async stop() {
        try {
          await hostStatus.close();
          await gateway.close();
          await hostUplink.close();
          await firmata.close();
          await groupCommit.idle();
        } finally {
          clock.cancelAll();
          unlock();
        }
        return `stopped: ${hostReport()}`;
      },
    };
  } catch (error) {
    for (const stream of opened) stream.close();
    void status?.close();
    void uplink?.close();
    void boards?.close();
    clock.cancelAll();
    unlock();
    throw error;
  }
}

export function reportLine(s: GatewayStats): string {
  const alarms = s.activeAlarms.length === 0 ? 'no active alarms' : `active alarms: ${s.activeAlarms.map((a) => `${a.rule} ${a.level}${a.acknowledged ? ' (ack)' : ''}`).join(', ')}`;
  // The last error only explains a sender that is waiting to retry; once idle or stopped it is history.
  const uplink = `uplink ${s.uplink.state}${s.uplink.lastError === undefined || s.uplink.state !== 'backoff' ? '' : ` (${s.uplink.lastError})`}`;
  return `${s.polls} polls (${s.failedPolls} failed, ${s.missedPolls} missed), ${s.samples} samples, ${s.alerts} alert events; sent ${s.framesSent} frames, ${s.alertsSent} alerts, ${s.statusSent} status (${s.bytesSent} B); log ${s.store.pendingAlerts} alerts + ${s.store.pendingReadings} frames waiting, ${s.store.droppedReadings} readings dropped; ${uplink}; ${alarms}`;
}

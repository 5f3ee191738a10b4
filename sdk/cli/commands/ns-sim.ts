/**
 * `axon ns sim`: a LoRaWAN network server for the bench, until Ctrl-C. Point
 * a gateway's Semtech packet forwarder (or `axon`'s own gateway) at the UDP
 * port and watch ChirpStack v4 integration events on MQTT; send downlinks by
 * publishing to command/down. See docs/ns-sim.md.
 */
import { once } from 'node:events';
import { deviceIdentity } from '../../../simulators/lorawan-ns/chirpstack-json.js';
import { loadRegistryFile, type ParsedRegistry } from '../../../simulators/lorawan-ns/registry-file.js';
import { startNsSim } from '../../../simulators/lorawan-ns/run-ns-sim.js';
import type { NsEvent } from '../../../simulators/lorawan-ns/events.js';
import type { NsStats, Outage } from '../../../simulators/lorawan-ns/network-server.js';
import { UsageError, type Flags } from '../args.js';
import type { Command } from '../command.js';

const COMMAND = 'ns sim';

export const nsSim: Command = {
  group: 'ns',
  name: 'sim',
  summary: "LoRaWAN network-server simulator: Semtech UDP in, ChirpStack v4's MQTT integration events out",
  usage: '[--udp <port>] [--mqtt <url>] [--devices <json file>] [--app <name>] [options]',
  flags: {
    udp: { type: 'string', value: '<port>', description: 'Semtech UDP (packet forwarder) port; 0 picks a free one', default: '1700' },
    host: { type: 'string', value: '<address>', description: 'address the UDP port binds to', default: '0.0.0.0' },
    mqtt: { type: 'string', value: '<url>', description: 'publish to this broker, e.g. mqtt://127.0.0.1:1883', default: 'an embedded aedes broker' },
    'broker-port': { type: 'string', value: '<port>', description: 'port of the embedded broker when --mqtt is not given; 0 picks a free one', default: '1883' },
    devices: { type: 'string', value: '<json file>', description: 'device registry: network settings, applications with channel tables, OTAA/ABP devices (docs/ns-sim.md)' },
    app: { type: 'string', value: '<name>', description: 'application name of devices whose entry names none (its topic level is its application ID, printed at start)', default: 'axon' },
    adr: { type: 'boolean', description: 'run ADR: raise the data rate of devices with the ADR bit from their SNR margin' },
    rx2: { type: 'boolean', description: 'send downlinks in RX2 first (RX1 becomes the fallback)' },
    outage: { type: 'string', value: '<from-to>', description: 'simulate a network-server outage from..to seconds after start, e.g. 60-120 (repeatable as a comma list)' },
    quiet: { type: 'boolean', description: 'no line per event, only the startup lines and the final counters' },
  },
  details: [
    'Output: "mqtt <url>" (the embedded broker\'s URL when --mqtt is not given), then',
    '"application <name> <application ID>" per application, "listening on udp://<host>:<port>",',
    'then one line per event unless --quiet. Events are ChirpStack v4\'s integration JSON on',
    'application/<application ID>/device/<devEUI>/event/{up,join,ack,txack,status,log}; the ID is',
    'the registry\'s "id" of the application, or a UUID derived from its name. Queue a downlink by',
    'publishing {"devEui": "<devEUI>", "fPort": 10, "data": "<base64>", "confirmed": false}, or',
    '{"devEui": "<devEUI>", "object": {"type": "data-ack", "base": 7, "seqs": [7, 8]}} for the codec,',
    'to application/<application ID>/device/<devEUI>/command/down. MICs are checked and payloads',
    'decrypted with lora-packet; `object` comes from the application\'s codec (generated from its',
    'channel table, or its "codec" file), run as ChirpStack runs it. Stop with Ctrl-C (prints the counters).',
  ].join('\n'),
  examples: [
    'axon ns sim --devices devices.json --app city',
    'axon ns sim --udp 1700 --mqtt mqtt://127.0.0.1:1883 --devices devices.json --adr',
    'axon ns sim --udp 0 --broker-port 0 --devices devices.json --outage 60-120',
  ],

  async run({ flags }, io) {
    const app = flags.string('app') ?? 'axon';
    if (!/^[^/+#\s]+$/.test(app)) throw new UsageError(`--app "${app}" must not contain '/', '+', '#' or spaces (it is an MQTT topic level)`, COMMAND);
    const registry = readRegistry(flags, app);
    const mqttUrl = flags.string('mqtt');
    const sim = await startNsSim({
      registry,
      udpPort: flags.int('udp', { min: 0, max: 65535, default: 1700 }),
      udpHost: flags.string('host') ?? '0.0.0.0',
      ...(mqttUrl === undefined ? { brokerPort: flags.int('broker-port', { min: 0, max: 65535, default: 1883 }) } : { mqttUrl }),
      adr: flags.bool('adr'),
      prefer: flags.bool('rx2') ? 'rx2' : 'rx1',
      outages: readOutages(flags),
      onProblem: (message) => io.err(`warning: ${message}`),
    });
    io.out(`mqtt ${sim.mqttUrl}${sim.broker === undefined ? '' : ' (embedded broker)'}`);
    io.out(`${registry.devices.length} device(s), region ${registry.network.region}, NetID ${registry.network.netId.toString(16).padStart(6, '0')}`);
    for (const [name, id] of applicationIds(registry)) io.out(`application ${name} ${id}`);
    io.out(`listening on udp://${flags.string('host') ?? '0.0.0.0'}:${sim.udp.port}`);
    if (!flags.bool('quiet')) sim.ns.onEvent((event) => io.out(eventLine(event)));
    const signal = await untilSignal();
    io.err(`${signal}: stopping the network-server simulator`);
    io.out(statsLine(sim.ns.stats));
    await sim.close();
    return 0;
  },
};

function readRegistry(flags: Flags, app: string): ParsedRegistry {
  const file = flags.string('devices');
  if (file === undefined) return { network: { region: 'EU868', netId: 0, rx1DelayS: 1, rx1DrOffset: 0 }, devices: [] };
  return loadRegistryFile(file, { defaultApplication: app });
}

/** Application name → ID, in registry order. */
function applicationIds(registry: ParsedRegistry): Map<string, string> {
  const ids = new Map<string, string>();
  for (const device of registry.devices) if (!ids.has(device.application)) ids.set(device.application, deviceIdentity(device).applicationId);
  return ids;
}

function readOutages(flags: Flags): Outage[] {
  const text = flags.string('outage');
  if (text === undefined) return [];
  return text.split(',').map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (match === null || Number(match[1]) >= Number(match[2])) throw new UsageError(`--outage "${part}" must be <from>-<to> in seconds with from < to, e.g. 60-120`, COMMAND);
    // Clock.now() of the NodeClock is performance.now(): offsets from "now" keep the meaning "seconds after start".
    const start = performance.now();
    return { fromMs: start + Number(match[1]) * 1000, toMs: start + Number(match[2]) * 1000 };
  });
}

function eventLine(event: NsEvent): string {
  const time = new Date(event.timeMs).toISOString().slice(11, 19);
  const who = event.device?.devEuiHex ?? '-';
  switch (event.type) {
    case 'up': {
      const readings = event.object?.readings;
      const what = event.object === undefined ? `${event.payload.length} bytes` : Array.isArray(readings) ? `${String(event.object.type)}, ${readings.length} readings` : String(event.object.type);
      return `${time} up     ${who} fCnt ${event.fCnt} fPort ${event.fPort ?? '-'}${event.confirmed ? ' confirmed' : ''} SF${event.rx.sf} SNR ${event.rx.snr} dB: ${what}`;
    }
    case 'join':
      return `${time} join   ${who} DevAddr ${event.devAddr.toString(16).padStart(8, '0')}`;
    case 'ack':
      return `${time} ack    ${who} downlink ${event.queueItemId} ${event.acknowledged ? 'acknowledged' : 'NOT acknowledged'}`;
    case 'txack':
      return `${time} txack  ${who} downlink ${event.downlinkId} sent in ${event.window.window}${event.errors.length > 0 ? ` (after ${event.errors.join(', ')})` : ''}`;
    case 'status':
      return `${time} status ${who} battery ${event.battery} margin ${event.margin} dB`;
    case 'log':
      return `${time} ${event.level.toLowerCase().padEnd(6)} ${who} ${event.code}: ${event.description}`;
    default:
      return `${time} event`;
  }
}

function statsLine(stats: NsStats): string {
  const rejected = Object.entries(stats.rejected).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`).join(', ');
  return `frames ${stats.received}, joins ${stats.joinsAccepted}, uplinks ${stats.uplinksAccepted}, downlinks sent ${stats.downlinksSent}, rejected: ${rejected === '' ? 'none' : rejected}`;
}

/** The first SIGINT/SIGTERM; a second Ctrl-C while closing gets the default handler (exit now). */
async function untilSignal(): Promise<NodeJS.Signals> {
  const controller = new AbortController();
  const signal = await Promise.race((['SIGINT', 'SIGTERM'] as const).map((name) => once(process, name, { signal: controller.signal }).then(() => name)));
  controller.abort();
  return signal;
}

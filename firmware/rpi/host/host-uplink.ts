/**
 * The uplink a Raspberry Pi gateway sends through, from its site's `uplink`
 * and the host config's credentials: MQTT over the Pi's own network (Ethernet,
 * Wi-Fi, a cellular router), or an NB-IoT modem on a serial port. Each comes
 * up in the background: the gateway polls and raises local alarms from the
 * first second, and the log holds what cannot be sent yet.
 */
import { readFileSync } from 'node:fs';
import { AxonError } from '../../../drivers/errors.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { NbIotModem } from '../../../drivers/nbiot/modem.js';
import { siteNbIotTransport } from '../../../drivers/nbiot/transports.js';
import { NbIotUplink } from '../../../drivers/nbiot/uplink.js';
import type { ByteStream } from '../../../drivers/ports/byte-stream.js';
import type { Clock } from '../../../drivers/ports/clock.js';
import type { KeyValueStore } from '../../../drivers/ports/storage.js';
import type { UplinkPort } from '../../../drivers/ports/uplink.js';
import type { ChannelTable } from '../../../drivers/batch/channels.js';
import { jsonPayload } from '../mqtt/json-payloads.js';
import { MqttUplink } from '../mqtt/mqtt-uplink.js';
import { redactCredentials } from '../mqtt/redact-credentials.js';
import { DownlinkVerifier, readDownlinkKey } from '../mqtt/signed-downlink.js';
import { ReconnectingStream } from '../ports/reconnecting-stream.js';
import { openSerialStream } from '../ports/serial-stream.js';
import type { HostConfig } from './host-config.js';
import { startHostLoraWan } from './host-lorawan.js';
import { isSpiRadio } from './host-radio.js';
import { startRui3Uplink } from './rui3-uplink.js';

export interface HostUplink {
  port: UplinkPort;
  /** One line for the start-up log. */
  describe: string;
  /** A phrase for the report line, when the uplink has counts of its own. */
  report?(): string;
  /** Whether the link itself is up (MQTT: the broker connection), for the status page. */
  connected?(): boolean;
  close(): Promise<void>;
}

/** A file the uplink needs (password, CA, certificate, key), or HOST_SECRET_UNREADABLE. Preflight calls it too, so check and run agree. */
export function readSecret(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new AxonError('HOST_SECRET_UNREADABLE', `cannot read the ${what}: ${(error as Error).message}`, { where: file, fix: 'check the path in the host config and that the gateway user may read it' });
  }
}

/**
 * The modem's view of its reconnecting port: bytes both ways, but not the link's
 * errors. The AT engine takes a stream error as the end of the link (ByteStream:
 * onError is called once) and fails every later command, while this port comes
 * back by itself. While it is down, writes go nowhere and commands time out,
 * which the driver recovers from (restart the module, reopen the socket).
 */
export function outlivingLink(stream: ReconnectingStream): ByteStream {
  const view: ByteStream = {
    line: stream.line,
    write: (bytes) => stream.write(bytes),
    onReadable: undefined,
    onError: undefined,
    close: () => stream.close(),
  };
  stream.onReadable = (bytes) => view.onReadable?.(bytes);
  return view;
}

/** Log lines of the uplink: state changes at info, failures and refused downlinks at warn. */
export type UplinkLog = (line: string, level?: 'info' | 'warn') => void;

/** `meta`: the gateway's key-value store (the last accepted counter of signed downlinks lives there). */
/** `channels`: the gateway's channel table, for the MQTT JSON format (asked at each send: the gateway is built after the uplink). */
export function startHostUplink(site: SiteFile, config: HostConfig, gatewayId: string, clock: Clock, log: UplinkLog, meta: KeyValueStore, channels: () => ChannelTable): HostUplink {
  const uplink = site.uplink;
  if (uplink.kind === 'mqtt') {
    const m = config.mqtt ?? {};
    const url = m.url ?? uplink.url;
    const shownUrl = redactCredentials(url);
    const tls = m.caFile === undefined && m.certFile === undefined ? undefined : {
      ca: m.caFile === undefined ? undefined : readSecret(m.caFile, 'CA certificate'),
      cert: m.certFile === undefined ? undefined : readSecret(m.certFile, 'client certificate'),
      key: m.keyFile === undefined ? undefined : readSecret(m.keyFile, 'client key'),
    };
    const verifier = m.downlinkKeyFile === undefined ? undefined : new DownlinkVerifier({ key: readDownlinkKey(m.downlinkKeyFile), gatewayId, store: meta, log: (line) => log(line, 'warn') });
    const mqtt = MqttUplink.start({
      url,
      gatewayId,
      username: m.username,
      password: m.passwordFile === undefined ? m.password : readSecret(m.passwordFile, 'MQTT password'),
      tls,
      topicPrefix: m.topicPrefix ?? uplink.topicPrefix,
      onState: (state, error) => {
        if (state === 'error') log(`uplink: ${error?.message ?? 'error'}`, 'warn');
        else log(`uplink: MQTT ${state === 'connected' ? `connected to ${shownUrl}` : 'offline, reconnecting'}`, state === 'connected' ? 'info' : 'warn');
      },
      openDownlink: verifier === undefined ? undefined : (topic, port, payload) => verifier.open(topic, port, payload),
      payloadFor: m.format === 'json' ? (message) => jsonPayload(message.payload, channels(), gatewayId) : undefined,
    });
    const signed = verifier === undefined ? '' : `; signed downlinks only (key ${m.downlinkKeyFile ?? ''}, last counter ${verifier.lastCounter})`;
    return {
      port: mqtt,
      describe: `MQTT ${shownUrl} as ${gatewayId} (topics ${mqtt.topics.upFilter}${m.format === 'json' ? ', JSON payloads' : ''})${signed}`,
      report: verifier === undefined ? undefined : () => `${verifier.accepted} signed downlinks accepted, ${verifier.refusedTotal} refused`,
      connected: () => mqtt.connected,
      close: () => mqtt.close(),
    };
  }
  if (uplink.kind === 'nbiot' && config.modem !== undefined) {
    const modemConfig = config.modem;
    let reopened = (): void => undefined;
    const stream = new ReconnectingStream({
      where: modemConfig.port,
      line: { baud: modemConfig.baud ?? 9600, dataBits: 8, parity: 'none', stopBits: 1 },
      open: () => openSerialStream({ path: modemConfig.port, baud: modemConfig.baud ?? 9600 }),
      onState: (state, error) => {
        log(`modem port ${modemConfig.port}: ${state}${error === undefined ? '' : ` (${error.message})`}`, error === undefined ? 'info' : 'warn');
        // Back after a drop: the module may have lost power with its USB adapter (sockets, attach gone)
        // and said so while nobody listened. Start it over on the next send.
        if (state === 'open' && stream.opens > 1) reopened();
      },
    });
    const modem = new NbIotModem({ stream: outlivingLink(stream), clock, attach: modemConfig.attach, attachDeadlineMs: modemConfig.attachDeadlineMs, engine: { where: modemConfig.port } });
    modem.onStateChange = (state) => log(`modem ${state}`);
    reopened = () => modem.reinitialise();
    const transport = siteNbIotTransport(uplink, modemConfig.mqtt);
    const nbiot = new NbIotUplink({ modem, transport, ackTimeoutMs: modemConfig.ackTimeoutMs, attempts: modemConfig.attempts });
    return {
      port: nbiot,
      describe: `NB-IoT ${transport.kind} to ${transport.host}:${String(transport.port ?? '')} via the modem on ${modemConfig.port}`,
      async close() {
        await nbiot.close();
        modem.close();
        stream.close(); // the engine leaves the port to its owner
      },
    };
  }
  if (uplink.kind === 'lorawan' && isSpiRadio(config.radio) && config.lorawan !== undefined) {
    const lora = startHostLoraWan({ site, radio: config.radio, keys: config.lorawan, clock, store: meta, log, readSecret, gpioRoot: config.gpioRoot });
    return {
      port: lora.uplink,
      describe: lora.describe,
      report: () => lora.report(),
      close: () => Promise.resolve(lora.close()),
    };
  }
  if (uplink.kind === 'lorawan' && config.radio?.type === 'rui3') return startRui3Uplink(uplink, config.radio, clock, log);
  // loadHostConfig refuses every other case with a reason and a fix.
  throw new AxonError('HOST_UPLINK_UNSUPPORTED', `uplink kind ${uplink.kind} cannot run on this host`, { where: `site ${site.id}`, fix: 'check the host config with `axon gateway check`' });
}

/**
 * The three ways NbIotUplink can move a frame, behind one small interface:
 * a UDP socket to our own server, the operator's CoAP platform, or MQTT.
 * Each knows how to (re)open itself for the modem's current session
 * (`modem.generation`): after a module reboot socket ids and MQTT links are gone.
 */
import type { UplinkConfig } from '../gateway/site.js';
import type { NbIotModem } from './modem.js';
import { NbIotMqtt, type MqttOptions } from './mqtt.js';
import { NbIotPlatform, PLATFORM_MAX_PAYLOAD } from './platform.js';
import { NbIotUdp, UDP_MAX_PAYLOAD } from './udp.js';

export interface FrameTransport {
  readonly maxFrameBytes: number;
  /** True when transmit() itself proves delivery (MQTT QoS 1 PUBACK); otherwise an ack frame must come back. */
  readonly confirms: boolean;
  onFrame: ((bytes: Uint8Array) => void) | undefined;
  /** Open whatever the current modem session needs; cheap when already open. */
  ready(): Promise<void>;
  transmit(frame: Uint8Array): Promise<void>;
  /** Forget the open socket/link after a failure, so the next ready() reopens it. */
  reset(): void;
  close(): Promise<void>;
}

export type NbIotTransportConfig =
  | { kind: 'udp'; host: string; port: number; localPort?: number }
  | { kind: 'coap-platform'; host: string; port?: number }
  | ({ kind: 'mqtt'; host: string; port: number; clientId: string; topic: string; downlinkTopic?: string; username?: string; password?: string } & MqttOptions);

/** MQTT client settings of the modem's own MQTT stack: host config, not site data (they hold credentials). */
export type NbIotMqttClientSettings = { clientId: string; topic: string; downlinkTopic?: string; username?: string; password?: string };

/**
 * The transport a site's NB-IoT uplink names (site file `uplink`), with the
 * host's MQTT client settings when the transport is mqtt. Both hosts (ESP32,
 * Raspberry Pi) validate the site first; this throws only on what they let by.
 */
export function siteNbIotTransport(uplink: UplinkConfig, mqtt?: NbIotMqttClientSettings): NbIotTransportConfig {
  if (uplink.kind !== 'nbiot' || uplink.host === undefined) throw new RangeError('the site has no complete NB-IoT uplink (kind nbiot with a host)');
  if (uplink.transport === 'coap') return { kind: 'coap-platform', host: uplink.host, port: uplink.port };
  const port = uplink.port ?? 0;
  if (uplink.transport === 'udp') return { kind: 'udp', host: uplink.host, port };
  if (mqtt === undefined) throw new RangeError('the site uses NB-IoT MQTT but no MQTT client settings were given');
  return { kind: 'mqtt', host: uplink.host, port, ...mqtt };
}

export function createTransport(modem: NbIotModem, config: NbIotTransportConfig): FrameTransport {
  switch (config.kind) {
    case 'udp':
      return new UdpTransport(modem, config);
    case 'coap-platform':
      return new PlatformTransport(modem, config);
    case 'mqtt':
      return new MqttTransport(modem, config);
  }
}

/** Shared bookkeeping: which modem session the transport was opened in. */
abstract class SessionTransport {
  onFrame: ((bytes: Uint8Array) => void) | undefined;
  protected readonly modem: NbIotModem;
  #openedIn: number | undefined;

  constructor(modem: NbIotModem) {
    this.modem = modem;
  }

  async ready(): Promise<void> {
    if (this.#openedIn === this.modem.generation && this.isOpen()) return;
    await this.openSession();
    this.#openedIn = this.modem.generation;
  }

  reset(): void {
    this.#openedIn = undefined;
  }

  protected get openInCurrentSession(): boolean {
    return this.#openedIn === this.modem.generation;
  }

  protected isOpen(): boolean {
    return true;
  }

  protected abstract openSession(): Promise<void>;
}

class UdpTransport extends SessionTransport implements FrameTransport {
  readonly maxFrameBytes = UDP_MAX_PAYLOAD;
  readonly confirms = false;
  readonly #udp: NbIotUdp;
  readonly #config: { host: string; port: number; localPort?: number };
  #socket: number | undefined;

  constructor(modem: NbIotModem, config: { host: string; port: number; localPort?: number }) {
    super(modem);
    this.#config = config;
    this.#udp = new NbIotUdp(modem);
    this.#udp.onDatagram = (datagram) => {
      // Only our server's datagrams on our socket; anything else on the port is not for the uplink.
      if (datagram.socket === this.#socket && datagram.ip === this.#config.host && datagram.port === this.#config.port) this.onFrame?.(datagram.payload);
    };
  }

  protected async openSession(): Promise<void> {
    this.#socket = await this.#udp.open(this.#config.localPort ?? 0);
  }

  async transmit(frame: Uint8Array): Promise<void> {
    await this.#udp.send(this.#socket ?? -1, this.#config.host, this.#config.port, frame);
  }

  override reset(): void {
    const socket = this.#socket;
    // Close the old socket if it still exists in this session; modules have few (BC95: 7).
    if (socket !== undefined && this.openInCurrentSession) this.#udp.close(socket).catch(() => undefined);
    this.#socket = undefined;
    super.reset();
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    super.reset();
    this.#udp.detach();
    if (socket !== undefined) await this.#udp.close(socket).catch(() => undefined);
  }
}

class PlatformTransport extends SessionTransport implements FrameTransport {
  readonly maxFrameBytes = PLATFORM_MAX_PAYLOAD;
  readonly confirms = false;
  readonly #platform: NbIotPlatform;
  readonly #config: { host: string; port?: number };

  constructor(modem: NbIotModem, config: { host: string; port?: number }) {
    super(modem);
    this.#config = config;
    this.#platform = new NbIotPlatform(modem);
    this.#platform.onMessage = (payload) => this.onFrame?.(payload);
  }

  protected async openSession(): Promise<void> {
    await this.#platform.configure(this.#config.host, this.#config.port ?? 5683);
  }

  async transmit(frame: Uint8Array): Promise<void> {
    await this.#platform.send(frame);
  }

  async close(): Promise<void> {
    this.#platform.detach();
  }
}

/** Frames travel hex-encoded (the QMT commands carry text); PUBACK is the acknowledgement. */
class MqttTransport extends SessionTransport implements FrameTransport {
  /** Conservative: 256 bytes become 512 hex characters inside one AT line. */
  readonly maxFrameBytes = 256;
  readonly confirms = true;
  readonly #mqtt: NbIotMqtt;
  readonly #config: Extract<NbIotTransportConfig, { kind: 'mqtt' }>;

  constructor(modem: NbIotModem, config: Extract<NbIotTransportConfig, { kind: 'mqtt' }>) {
    super(modem);
    this.#config = config;
    this.#mqtt = new NbIotMqtt(modem, config);
    this.#mqtt.onMessage = (message) => {
      if (message.topic === config.downlinkTopic) this.onFrame?.(message.payload);
    };
  }

  protected override isOpen(): boolean {
    return this.#mqtt.connected;
  }

  protected async openSession(): Promise<void> {
    const { host, port, clientId, username, password, downlinkTopic } = this.#config;
    await this.#mqtt.open(host, port);
    await this.#mqtt.connect(clientId, { username, password });
    if (downlinkTopic !== undefined) await this.#mqtt.subscribe(downlinkTopic);
  }

  async transmit(frame: Uint8Array): Promise<void> {
    await this.#mqtt.publish(this.#config.topic, frame, 1);
  }

  async close(): Promise<void> {
    this.#mqtt.detach();
    if (this.#mqtt.connected) await this.#mqtt.disconnect().catch(() => undefined);
  }
}

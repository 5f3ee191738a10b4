/**
 * MQTT uplink for the Node host (Raspberry Pi on Ethernet, Wi-Fi or a cellular
 * router). QoS 1 end to end: send() resolves on the broker's PUBACK, so the
 * store-and-forward log removes a record only once the broker holds it.
 *
 * While the connection is down, send() fails at once instead of queueing in
 * memory: the crash-safe log is the queue, and a RAM queue would be lost on a
 * power cut and would hide the outage from the gateway.
 *
 * Downlinks go the other way through a persistent session (a stable client id,
 * clean: false, a QoS 1 subscription): the broker keeps what the platform
 * publishes while the gateway is away and delivers it when it reconnects.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { AxonError } from '../../../drivers/errors.js';
import type { UplinkMessage, UplinkPort } from '../../../drivers/ports/uplink.js';
import { redactCredentials } from './redact-credentials.js';
import { watchSessionTakeover } from './session-takeover.js';
import { topicScheme, type TopicScheme } from './topics.js';

export interface MqttUplinkOptions {
  /** mqtt://host:1883 or mqtts://host:8883 */
  url: string;
  /** This gateway's id: its topic subtree and default client id. */
  gatewayId: string;
  /** Per-gateway credentials. */
  username?: string;
  password?: string;
  /** TLS: PEM strings. `ca` pins the broker's certificate authority. */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  topicPrefix?: string;
  /** Largest payload accepted (default 65536). */
  maxPayloadBytes?: number;
  /** How long to wait for the first connection, ms (default 10000). */
  connectTimeoutMs?: number;
  /** Reconnect interval after a drop, ms (default 2000). */
  reconnectMs?: number;
  /** How long send() waits for the broker's PUBACK before failing, ms (default 10000). */
  ackTimeoutMs?: number;
  /**
   * Connection changes after start, for the host's log: 'connected', 'offline'
   * (lost, reconnecting), and 'error' with a clear MqttUplinkError (refused
   * credentials, TLS, nothing listening; another client with this gateway's
   * client id taking its session over).
   */
  onState?: (state: 'connected' | 'offline' | 'error', error?: MqttUplinkError) => void;
  /**
   * Opens each downlink before the gateway sees it: returns the downlink bytes,
   * or undefined to drop it (signed downlinks: DownlinkVerifier.open).
   */
  openDownlink?: (topic: string, port: number, payload: Uint8Array) => Uint8Array | undefined;
  /**
   * What goes on the wire for a message (default: its bytes). The JSON format
   * (json-payloads.ts) decodes here; the size limit applies to the message itself.
   */
  payloadFor?: (message: UplinkMessage) => Uint8Array;
}

export class MqttUplinkError extends AxonError {}

export class MqttUplink implements UplinkPort {
  onDownlink: ((message: { port: number; payload: Uint8Array }) => void) | undefined;
  readonly topics: TopicScheme;
  readonly #client: MqttClient;
  readonly #maxPayload: number;
  readonly #url: string;
  readonly #ackTimeoutMs: number;
  readonly #payloadFor: (message: UplinkMessage) => Uint8Array;

  private constructor(client: MqttClient, topics: TopicScheme, options: MqttUplinkOptions) {
    this.#client = client;
    this.topics = topics;
    this.#maxPayload = options.maxPayloadBytes ?? 65536;
    this.#url = redactCredentials(options.url); // it goes into every error's "at"
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.#payloadFor = options.payloadFor ?? ((message) => message.payload);
    const open = options.openDownlink ?? ((_topic: string, _port: number, payload: Uint8Array) => payload);
    client.on('message', (topic, payload) => {
      const port = topics.parseDown(topic);
      if (port === undefined) return;
      const downlink = open(topic, port, new Uint8Array(payload));
      if (downlink !== undefined) this.onDownlink?.({ port, payload: downlink });
    });
    client.on('connect', () => {
      // Subscribe on every connection: the session holds the subscription when the broker kept
      // it, and a broker that lost it (restarted) needs it again. Then say we are back: "online"
      // means downlinks published from now on reach this gateway.
      client.subscribe(topics.downFilter, { qos: 1 }, () => client.publish(topics.status, 'online', { qos: 1, retain: true }));
    });
  }

  /**
   * Start connecting and return at once: a gateway must poll and raise local
   * alarms while the broker is unreachable (the log holds what cannot be sent;
   * send() fails until connected). Reconnects by itself; options.onState reports.
   */
  static start(options: MqttUplinkOptions): MqttUplink {
    const topics = topicScheme(options.topicPrefix ?? 'axon', options.gatewayId);
    const clientOptions: IClientOptions = {
      // Stable, so the broker finds this gateway's session (and the downlinks queued in it) again.
      clientId: `axon-${options.gatewayId}`,
      username: options.username,
      password: options.password,
      clean: false,
      reconnectPeriod: options.reconnectMs ?? 2000,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      queueQoSZero: false,
      // mqtt-packet otherwise builds a Buffer for each of the 65,536 packet ids at the first publish:
      // 7 MB of heap (issue 11's RSS at 1,000 devices) to save a 2-byte allocation per publish.
      writeCache: false,
      will: { topic: topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(options.tls === undefined
        ? {}
        : { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, rejectUnauthorized: options.tls.rejectUnauthorized ?? true }),
    };
    const client = mqtt.connect(options.url, clientOptions);
    const onState = options.onState;
    if (onState !== undefined) {
      let lastError = '';
      client.on('connect', () => {
        lastError = '';
        onState('connected');
      });
      client.on('offline', () => onState('offline'));
      watchSessionTakeover(client, clientOptions.clientId ?? '', (why) => onState('error', new MqttUplinkError('UPLINK_SESSION_TAKEN_OVER', why.message, { where: redactCredentials(options.url), fix: why.fix })));
      client.on('error', (error) => {
        // The client retries every reconnect period: report a failure once, not every two seconds.
        if (error.message === lastError) return;
        lastError = error.message;
        onState('error', connectError(options.url, error));
      });
    }
    return new MqttUplink(client, topics, options);
  }

  /** Connect, announce "online", subscribe to downlinks. Rejects with a clear error when the broker refuses or does not answer. */
  static async connect(options: MqttUplinkOptions): Promise<MqttUplink> {
    const uplink = MqttUplink.start(options);
    const client = uplink.#client;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no answer within ${options.connectTimeoutMs ?? 10_000} ms`)), options.connectTimeoutMs ?? 10_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        client.end(true);
        reject(connectError(options.url, error));
      };
      client.once('connect', () => {
        clearTimeout(timer);
        client.off('error', fail);
        resolve();
      });
      client.once('error', fail);
    });
    return uplink;
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  maxPayloadBytes(): number {
    return this.#maxPayload;
  }

  send(message: UplinkMessage): Promise<void> {
    if (message.payload.length > this.#maxPayload) {
      return Promise.reject(new MqttUplinkError('UPLINK_TOO_LARGE', `message of ${message.payload.length} bytes exceeds the ${this.#maxPayload}-byte limit`, { where: this.#url, fix: 'cut batches to maxPayloadBytes()' }));
    }
    if (!this.#client.connected) {
      return Promise.reject(new MqttUplinkError('UPLINK_OFFLINE', 'the MQTT broker is not connected; the message stays in the store', { where: this.#url, fix: 'check the network and the broker; the uplink reconnects by itself' }));
    }
    return new Promise((resolve, reject) => {
      // A connection that drops mid-publish may never call back: never leave the store waiting forever.
      const timer = setTimeout(() => {
        reject(new MqttUplinkError('UPLINK_TIMEOUT', `no PUBACK within ${this.#ackTimeoutMs} ms`, { where: this.#url, fix: 'the message stays in the store and is sent again' }));
      }, this.#ackTimeoutMs);
      this.#client.publish(this.topics.up(message.port), Buffer.from(this.#payloadFor(message)), { qos: 1 }, (error) => {
        clearTimeout(timer);
        if (error) reject(new MqttUplinkError('UPLINK_PUBLISH', `publish failed: ${error.message}`, { where: this.#url, fix: 'the message stays in the store and is sent again', cause: error }));
        else resolve();
      });
    });
  }

  /**
   * Announce "offline" and disconnect with a DISCONNECT packet, so the broker
   * discards the last will (which would say "offline" a second time). Best
   * effort, at most 1 s per step: never hangs on a dead broker.
   */
  async close(): Promise<void> {
    const client = this.#client;
    if (client.connected) {
      await withinOneSecond((done) => client.publish(this.topics.status, 'offline', { qos: 1, retain: true }, () => done()));
      // A forced end() only drops the socket, and a dropped socket is what fires the will.
      if (!(await withinOneSecond((done) => client.end(false, {}, () => done())))) client.stream.destroy(); // no answer: drop it
      return;
    }
    await client.endAsync(true);
  }
}

/** Start `step`; resolves true when it calls back within 1 s, false otherwise. */
function withinOneSecond(step: (done: () => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 1000);
    step(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function connectError(url: string, error: Error): MqttUplinkError {
  const text = redactCredentials(error.message);
  let fix = 'check the broker URL, that the broker runs, and the network';
  if (/Not authorized|Bad username or password|bad user name/i.test(text)) fix = 'check this gateway\'s MQTT username and password';
  else if (/self[- ]signed|certificate|unable to verify/i.test(text)) fix = 'give the broker\'s CA certificate (tls.ca) or check the broker certificate\'s host name';
  else if (/ECONNREFUSED/.test(text)) fix = 'nothing listens at that address: start the broker or fix the port';
  return new MqttUplinkError('UPLINK_CONNECT', `could not connect to the MQTT broker: ${text}`, { where: redactCredentials(url), fix, cause: error });
}

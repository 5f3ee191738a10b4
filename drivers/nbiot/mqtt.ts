/**
 * MQTT on newer modules (BC28 with the QMT command set): the module runs the
 * MQTT client, we drive it with AT+QMTOPEN/QMTCONN/QMTPUB/QMTSUB. Each command
 * answers OK at once and the outcome later as a URC of the same name, so every
 * call subscribes for that URC before sending (see urc-wait.ts).
 *
 * Message bodies travel inline in the AT command, so they must be printable
 * and free of quotes: binary payloads are sent as hex text.
 */
import { asciiBytes, fromHex, toHex } from '../bytes.js';
import { isHex } from './at-args.js';
import { NbIotError } from './errors.js';
import type { NbIotModem } from './modem.js';
import { waitForUrc } from './urc-wait.js';
import type { Urc } from './urc.js';

export interface MqttOptions {
  /** Link id 0–5 (the module supports several clients). Default 0. */
  linkId?: number;
  /** QMTOPEN needs a TCP connect over NB-IoT: seconds. Default 30 000 ms. */
  openTimeoutMs?: number;
  /** CONNACK wait; the module gives up after about 10 s itself. Default 12 000 ms. */
  connectTimeoutMs?: number;
  /** PUBACK / SUBACK wait. Default 15 000 ms. */
  ackTimeoutMs?: number;
}

export interface MqttMessage {
  topic: string;
  /** The body as text (as the module delivered it). */
  text: string;
  /** The body decoded from hex when it is hex, else its ASCII bytes. */
  payload: Uint8Array;
}

/** +QMTOPEN result codes. */
const OPEN_RESULTS: Readonly<Record<number, string>> = {
  [-1]: 'failed to open network',
  1: 'wrong parameter',
  2: 'link id already in use',
  3: 'failed to activate PDP context',
  4: 'failed to resolve the server name',
  5: 'network disconnected',
};

/** CONNACK return codes (MQTT 3.1.1). */
const CONNACK: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'client id rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorised',
};

export class NbIotMqtt {
  onMessage: ((message: MqttMessage) => void) | undefined;
  /** Called when the module reports the link down (+QMTSTAT). */
  onDisconnect: ((reason: number) => void) | undefined;
  readonly #modem: NbIotModem;
  readonly #link: number;
  readonly #openTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #ackTimeoutMs: number;
  readonly #offs: Array<() => void>;
  #nextMessageId = 1;
  #connected = false;

  constructor(modem: NbIotModem, options: MqttOptions = {}) {
    this.#modem = modem;
    this.#link = options.linkId ?? 0;
    this.#openTimeoutMs = options.openTimeoutMs ?? 30_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 12_000;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.#offs = [
      modem.engine.onUrc('+QMTRECV', (urc) => this.#received(urc)),
      modem.engine.onUrc('+QMTSTAT', (urc) => {
        if (Number(urc.args[0]) !== this.#link) return;
        this.#connected = false;
        this.onDisconnect?.(Number(urc.args[1]));
      }),
      modem.onReboot(() => {
        this.#connected = false;
      }),
    ];
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Open the TCP link to the broker. */
  async open(host: string, port: number): Promise<void> {
    const urc = await this.#twoStep(`AT+QMTOPEN=${this.#link},"${quoted(host, 'host')}",${port}`, '+QMTOPEN', () => true, this.#openTimeoutMs);
    const result = Number(urc.args[1]);
    if (result !== 0) {
      throw new NbIotError('NBIOT_MQTT', `could not open the MQTT link to ${host}:${port}: ${OPEN_RESULTS[result] ?? `result ${urc.args[1]}`}`, {
        command: 'AT+QMTOPEN',
        fix: 'check the broker address and port, and that the APN allows outgoing TCP',
      });
    }
  }

  /** MQTT CONNECT; the broker must answer within connectTimeoutMs. */
  async connect(clientId: string, credentials: { username?: string; password?: string } = {}): Promise<void> {
    let command = `AT+QMTCONN=${this.#link},"${quoted(clientId, 'client id')}"`;
    if (credentials.username !== undefined) {
      command += `,"${quoted(credentials.username, 'user name')}","${quoted(credentials.password ?? '', 'password')}"`;
    }
    const urc = await this.#twoStep(command, '+QMTCONN', () => true, this.#connectTimeoutMs);
    const [, result, code] = urc.args;
    if (Number(result) !== 0 || (code !== undefined && Number(code) !== 0)) {
      throw new NbIotError('NBIOT_MQTT', `the broker refused the connection: ${CONNACK[Number(code)] ?? `result ${result}`}`, {
        command: 'AT+QMTCONN',
        fix: 'check client id, user name and password against the broker configuration',
      });
    }
    this.#connected = true;
  }

  /** Publish; resolves on PUBACK for QoS 1 (on hand-over to the module for QoS 0). */
  async publish(topic: string, payload: Uint8Array | string, qos: 0 | 1 = 1): Promise<void> {
    const body = typeof payload === 'string' ? quoted(payload, 'message') : toHex(payload).toUpperCase();
    const id = qos === 0 ? 0 : this.#messageId();
    const urc = await this.#twoStep(`AT+QMTPUB=${this.#link},${id},${qos},0,"${quoted(topic, 'topic')}","${body}"`, '+QMTPUB', (u) => Number(u.args[1]) === id, this.#ackTimeoutMs);
    if (Number(urc.args[2]) !== 0) {
      throw new NbIotError('NBIOT_MQTT', `publish to ${topic} failed (result ${urc.args[2]}: ${Number(urc.args[2]) === 1 ? 'retransmitting' : 'not acknowledged'})`, {
        command: 'AT+QMTPUB',
        fix: 'check the link (+QMTSTAT) and the broker; the driver retries on the next send',
      });
    }
  }

  async subscribe(topic: string, qos: 0 | 1 = 1): Promise<void> {
    const id = this.#messageId();
    const urc = await this.#twoStep(`AT+QMTSUB=${this.#link},${id},"${quoted(topic, 'topic')}",${qos}`, '+QMTSUB', (u) => Number(u.args[1]) === id, this.#ackTimeoutMs);
    if (Number(urc.args[2]) !== 0 || Number(urc.args[3]) === 128) {
      throw new NbIotError('NBIOT_MQTT', `subscription to ${topic} was refused`, { command: 'AT+QMTSUB', fix: 'check the broker ACL for this client' });
    }
  }

  async disconnect(): Promise<void> {
    this.#connected = false;
    await this.#twoStep(`AT+QMTDISC=${this.#link}`, '+QMTDISC', () => true, this.#ackTimeoutMs);
  }

  detach(): void {
    for (const off of this.#offs) off();
  }

  #messageId(): number {
    const id = this.#nextMessageId;
    this.#nextMessageId = id >= 65535 ? 1 : id + 1;
    return id;
  }

  async #twoStep(command: string, name: string, matches: (urc: Urc) => boolean, timeoutMs: number): Promise<Urc> {
    const wait = waitForUrc(this.#modem.engine, this.#modem.clock, name, (urc) => Number(urc.args[0]) === this.#link && matches(urc), timeoutMs, command);
    try {
      // The result arrives as a URC of the same name; prefix null keeps it out of the OK reply.
      await this.#modem.command(command, { prefix: null });
    } catch (error) {
      wait.cancel();
      throw error;
    }
    return wait.promise;
  }

  #received(urc: Urc): void {
    // +QMTRECV: <link>,<msgId>,"<topic>","<payload>"
    const [link, , topic, text] = urc.args;
    if (Number(link) !== this.#link || topic === undefined || text === undefined) return;
    const payload = isHex(text) && text.length > 0 ? fromHex(text) : asciiBytes(text);
    this.onMessage?.({ topic, text, payload });
  }
}

/** Inline AT strings cannot carry quotes or line ends. */
function quoted(text: string, what: string): string {
  if (/["\r\n]/.test(text)) {
    throw new NbIotError('NBIOT_BAD_ARGUMENT', `the MQTT ${what} may not contain quotes or line breaks`, { fix: 'send binary or quoted data as hex (pass a Uint8Array)' });
  }
  return text;
}

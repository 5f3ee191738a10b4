/**
 * Shared by the network-server tests: a test packet forwarder speaking the
 * Semtech UDP protocol (bytes written out here by hand, independently of
 * semtech-packets.ts), an MQTT subscriber that waits for events, the device
 * side's frames built with OUR drivers/lorawan encoders, and realistic
 * payloads from the batch codec.
 */
import dgram from 'node:dgram';
import type { ExecutionContext } from 'ava';
import mqtt, { type MqttClient } from 'mqtt';
import { encodeAlert } from '../../drivers/batch/alert.js';
import { buildChannelTable, type ChannelTable } from '../../drivers/batch/channels.js';
import { BatchEncoder } from '../../drivers/batch/encoder.js';
import { exampleSamples, exampleSite, EXAMPLE_T0, fixtureManifests } from '../../drivers/batch/test-support.js';
import { fromHex } from '../../drivers/bytes.js';
import { encodeDataFrame, type SessionKeys } from '../../drivers/lorawan/data-frame.js';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import { parseRegistry } from './registry-file.js';
import { startNsSim, type RunningNsSim } from './run-ns-sim.js';

export const cipher = new NodeBlockCipher();

export const OTAA = {
  devEui: '0004a30b001c0530',
  joinEui: '70b3d57ed0000000',
  appKey: '2b7e151628aed2a6abf7158809cf4f3c',
};

/** An ABP device that restarted with its counter already past 65,535 (the upper 16 bits matter). */
export const ABP = {
  devEui: '0004a30b001c0531',
  devAddr: '26011b01',
  nwkSKey: '0102030405060708090a0b0c0d0e0f10',
  appSKey: '100f0e0d0c0b0a090807060504030201',
  lastFCntUp: 65_530,
};

export const ABP_KEYS: SessionKeys = { nwkSKey: fromHex(ABP.nwkSKey), appSKey: fromHex(ABP.appSKey) };
export const ABP_DEVADDR = 0x26011b01;
export const GATEWAY_EUI = 'aa555a0000000101';

export function exampleTable(): ChannelTable {
  return buildChannelTable(exampleSite(), fixtureManifests());
}

/** A real batch frame (three 5-minute cycles of a level gauge and a detector) and an alert, under `table`. */
export function examplePayloads(table: ChannelTable): { batch: Uint8Array; alert: Uint8Array } {
  const encoder = new BatchEncoder(table);
  for (const sample of exampleSamples()) encoder.add(sample);
  const [batch] = encoder.flush(51);
  const alert = encodeAlert({ rule: 'underpass-ponding', device: 'underpass', point: 'level', level: 'warning', state: 'raised', t: EXAMPLE_T0 + 600_000, value: 16, message: 'ponding' }, table);
  return { batch, alert };
}

/** The test application's ChirpStack ID: its topic level. */
export const CITY_APP_ID = '5ad0c7e4-8f0b-4b53-9a1d-3c2f6f1e0a01';

export function registryJson(table: ChannelTable): unknown {
  return {
    region: 'EU868',
    netId: '000013',
    applications: { city: { id: CITY_APP_ID, channels: table } },
    devices: [
      { name: 'underpass-gw', application: 'city', ...OTAA },
      { name: 'abp-gw', application: 'city', ...ABP },
    ],
  };
}

/** The NS simulator on loopback with an embedded broker, closed when the test ends. */
export async function startTestNs(t: ExecutionContext, options: { table?: ChannelTable; onProblem?: (message: string) => void } = {}): Promise<RunningNsSim> {
  const registry = parseRegistry(registryJson(options.table ?? exampleTable()), { defaultApplication: 'city' });
  const sim = await startNsSim({ registry, udpPort: 0, udpHost: '127.0.0.1', ...(options.onProblem === undefined ? {} : { onProblem: options.onProblem }) });
  t.teardown(() => sim.close());
  return sim;
}

/** Poll `condition` (state changed by another socket, e.g. an MQTT command reaching the simulator). */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Uplink data frame from OUR encoder. */
export function dataUp(keys: SessionKeys, devAddr: number, fCnt: number, payload: Uint8Array, options: { confirmed?: boolean; fPort?: number; fOpts?: Uint8Array; ack?: boolean; adr?: boolean } = {}): Uint8Array {
  return encodeDataFrame(cipher, {
    mType: options.confirmed === true ? 'confirmed-data-up' : 'unconfirmed-data-up',
    devAddr,
    fCnt,
    fCtrl: { ack: options.ack === true, adr: options.adr === true },
    ...(options.fOpts === undefined ? {} : { fOpts: options.fOpts }),
    fPort: options.fPort ?? 10,
    payload,
  }, keys);
}

export interface Txpk {
  tmst: number;
  freq: number;
  datr: string;
  powe: number;
  ipol: boolean;
  size: number;
  data: string;
  imme: boolean;
}

/** A minimal Semtech UDP packet forwarder (protocol v2) for tests. */
export class TestForwarder {
  readonly #socket = dgram.createSocket('udp4');
  readonly #port: number;
  readonly pushAcks: number[] = [];
  readonly pullAcks: number[] = [];
  readonly pullResps: Array<{ token: number; txpk: Txpk }> = [];
  #token = 0x1000;
  #waiters: Array<() => void> = [];
  /** TX_ACK error to answer PULL_RESP with ("NONE" = sent); undefined sends no TX_ACK. */
  txAckError: string | undefined = 'NONE';

  private constructor(serverPort: number) {
    this.#port = serverPort;
    this.#socket.on('message', (msg) => this.#onMessage(msg));
  }

  static async start(t: ExecutionContext, serverPort: number): Promise<TestForwarder> {
    const forwarder = new TestForwarder(serverPort);
    await new Promise<void>((resolve) => forwarder.#socket.bind(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => forwarder.#socket.close(() => resolve())));
    return forwarder;
  }

  /** PULL_DATA, so the server knows where to send PULL_RESP; resolves on PULL_ACK. */
  async pull(): Promise<void> {
    const token = this.#nextToken();
    this.sendRaw(Buffer.concat([Buffer.from([2, token >> 8, token & 0xff, 0x02]), Buffer.from(GATEWAY_EUI, 'hex')]));
    await this.waitFor(() => this.pullAcks.includes(token));
  }

  /** PUSH_DATA with one rxpk per frame; resolves on PUSH_ACK. */
  async push(frames: Array<{ phy: Uint8Array; tmst: number; freq?: number; datr?: string; stat?: number; lsnr?: number }>): Promise<number> {
    const token = this.#nextToken();
    const rxpk = frames.map((f) => ({
      time: new Date(Date.UTC(2026, 6, 15, 8, 30)).toISOString(),
      tmst: f.tmst, chan: 0, rfch: 0, freq: f.freq ?? 868.1, stat: f.stat ?? 1, modu: 'LORA', datr: f.datr ?? 'SF7BW125', codr: '4/5',
      rssi: -57, lsnr: f.lsnr ?? 9.5, size: f.phy.length, data: Buffer.from(f.phy).toString('base64'),
    }));
    const json = Buffer.from(JSON.stringify({ rxpk }), 'utf8');
    this.sendRaw(Buffer.concat([Buffer.from([2, token >> 8, token & 0xff, 0x00]), Buffer.from(GATEWAY_EUI, 'hex'), json]));
    await this.waitFor(() => this.pushAcks.includes(token));
    return token;
  }

  sendRaw(bytes: Uint8Array): void {
    this.#socket.send(bytes, this.#port, '127.0.0.1');
  }

  /** Resolve when `condition` holds (checked on every datagram), or reject after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`test forwarder: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(check);
      check();
    });
  }

  /** The next PULL_RESP after `count` have arrived. */
  async nextPullResp(count = this.pullResps.length): Promise<{ token: number; txpk: Txpk; phy: Uint8Array }> {
    await this.waitFor(() => this.pullResps.length > count);
    const resp = this.pullResps[count];
    return { ...resp, phy: new Uint8Array(Buffer.from(resp.txpk.data, 'base64')) };
  }

  #nextToken(): number {
    this.#token = (this.#token + 1) & 0xffff;
    return this.#token;
  }

  #onMessage(msg: Buffer): void {
    const token = (msg[1] << 8) | msg[2];
    if (msg[3] === 0x01) this.pushAcks.push(token);
    else if (msg[3] === 0x04) this.pullAcks.push(token);
    else if (msg[3] === 0x03) {
      const { txpk } = JSON.parse(msg.subarray(4).toString('utf8')) as { txpk: Txpk };
      this.pullResps.push({ token, txpk });
      if (this.txAckError !== undefined) {
        const ack = Buffer.from(JSON.stringify({ txpk_ack: { error: this.txAckError } }));
        this.sendRaw(Buffer.concat([Buffer.from([2, msg[1], msg[2], 0x05]), Buffer.from(GATEWAY_EUI, 'hex'), ack]));
      }
    }
    for (const waiter of [...this.#waiters]) waiter();
  }
}

export interface ReceivedMessage {
  topic: string;
  body: Record<string, unknown>;
}

/** An MQTT client subscribed to application/#, collecting every event. */
export class EventCollector {
  readonly messages: ReceivedMessage[] = [];
  readonly client: MqttClient;
  #waiters: Array<() => void> = [];

  private constructor(client: MqttClient) {
    this.client = client;
    client.on('message', (topic, payload) => {
      this.messages.push({ topic, body: JSON.parse(payload.toString('utf8')) as Record<string, unknown> });
      for (const waiter of [...this.#waiters]) waiter();
    });
  }

  static async connect(t: ExecutionContext, url: string): Promise<EventCollector> {
    const client = await mqtt.connectAsync(url, { clientId: `ns-test-${Math.random().toString(36).slice(2)}` });
    t.teardown(() => client.endAsync());
    await client.subscribeAsync('application/#', { qos: 1 });
    return new EventCollector(client);
  }

  /** The first message (already received or still to come) on a topic ending with `suffix` whose body matches `where`. */
  next(suffix: string, where: (body: Record<string, unknown>) => boolean = () => true, timeoutMs = 3000): Promise<ReceivedMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find((m) => m.topic.endsWith(suffix) && where(m.body));
        if (found === undefined) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`no MQTT message on …${suffix} within ${timeoutMs} ms; got ${this.messages.map((m) => m.topic).join(', ')}`));
      }, timeoutMs);
      this.#waiters.push(check);
      check();
    });
  }
}

/** The simulator, an MQTT collector of its events and a packet forwarder that has sent PULL_DATA (so downlinks reach it). */
export async function startTestBench(t: ExecutionContext, options: { table?: ChannelTable } = {}): Promise<{ sim: RunningNsSim; events: EventCollector; gw: TestForwarder }> {
  const sim = await startTestNs(t, options);
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();
  return { sim, events, gw };
}

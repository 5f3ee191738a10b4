/**
 * The QMT (MQTT) command set of the simulated modem together with the broker
 * behind it: open, connect (with optional credential check), publish with
 * PUBACK, subscribe, disconnect, and messages pushed down as +QMTRECV.
 * Link id 0 only, which is what the driver uses.
 */
import type { SimCommand } from './at-command.js';
import { num, type SimIo } from './sim-io.js';

export class SimMqtt {
  /** Publishes reaching the broker. */
  onPublish: ((message: { topic: string; text: string; qos: number }) => void) | undefined;
  /** When set, the broker only accepts these credentials (CONNACK 4 otherwise). */
  credentials: { username: string; password: string } | undefined;
  readonly #io: SimIo;
  #open = false;
  #connected = false;
  readonly #subscriptions = new Set<string>();
  #nextRecvId = 0;

  constructor(io: SimIo) {
    this.#io = io;
  }

  get connected(): boolean {
    return this.#connected;
  }

  reset(): void {
    this.#open = false;
    this.#connected = false;
    this.#subscriptions.clear();
  }

  /** A message from the broker on a subscribed topic (→ +QMTRECV). */
  push(topic: string, text: string): boolean {
    if (!this.#connected || !this.#subscriptions.has(topic)) return false;
    this.#io.urc(`+QMTRECV: 0,${this.#nextRecvId++},"${topic}","${text}"`);
    return true;
  }

  /** Each command answers OK now and its outcome one network round trip later, as a URC. */
  handle(command: SimCommand): void {
    const io = this.#io;
    const args = command.args;
    if (command.kind !== 'set' || num(args[0]) !== 0) return io.error(50);
    const roundTrip = 2 * io.networkDelayMs;
    switch (command.name) {
      case '+QMTOPEN':
        if (this.#open) return io.error();
        io.ok();
        if (!io.isAttached()) return io.urc('+QMTOPEN: 0,3', roundTrip);
        this.#open = true;
        return io.urc('+QMTOPEN: 0,0', roundTrip);
      case '+QMTCONN': {
        if (!this.#open) return io.error();
        const wanted = this.credentials;
        const accepted = wanted === undefined || (args[2]?.text === wanted.username && args[3]?.text === wanted.password);
        this.#connected = accepted;
        io.ok();
        return io.urc(`+QMTCONN: 0,0,${accepted ? 0 : 4}`, roundTrip);
      }
      case '+QMTPUB': {
        if (!this.#connected) return io.error();
        const [id, qos, topic, text] = [num(args[1]), num(args[2]), args[4]?.text ?? '', args[5]?.text ?? ''];
        io.ok();
        io.later(io.networkDelayMs, () => this.onPublish?.({ topic, text, qos }));
        return io.urc(`+QMTPUB: 0,${id},0`, roundTrip);
      }
      case '+QMTSUB':
        if (!this.#connected) return io.error();
        this.#subscriptions.add(args[2]?.text ?? '');
        io.ok();
        return io.urc(`+QMTSUB: 0,${num(args[1])},0,${num(args[3])}`, roundTrip);
      default:
        this.reset();
        io.ok();
        return io.urc('+QMTDISC: 0,0', roundTrip);
    }
  }
}

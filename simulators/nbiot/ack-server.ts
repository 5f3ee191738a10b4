/**
 * The far side of NbIotUplink: a server that acknowledges every data frame by
 * echoing its sequence id, records what arrived, and can send downlinks. It
 * decodes the envelope itself (not with the driver's codec), so a codec bug
 * shows up as a disagreement. Plug it into the modem simulator's network side:
 *   sim.onUdp = server.udpHandler; sim.onPlatform = server.platformHandler.
 */
import type { SimDatagram } from './modem-sim.js';

export interface ReceivedMessage {
  seq: number;
  port: number;
  alert: boolean;
  payload: Uint8Array;
}

export interface AxonAckServerOptions {
  /**
   * Keep every unique message in `messages` (default true). False: only count them, with the sequence ids
   * seen in a fixed 8 KiB bitmap, so a long run's memory does not grow (the ESP32 simulation measures the
   * heap it shares with this server).
   */
  keepMessages?: boolean;
}

export class AxonAckServer {
  /** Unique messages, in arrival order (empty with keepMessages false). */
  readonly messages: ReceivedMessage[] = [];
  /** Unique messages and, of them, alerts (also counted with keepMessages false). */
  received = 0;
  alertsReceived = 0;
  /** Data frames seen again (a retry after a lost ack). */
  duplicates = 0;
  /** Acks received for our downlinks. */
  readonly downlinkAcks: number[] = [];
  /** Swallow this many data frames entirely (lost uplinks). */
  ignoreNext = 0;
  /** Record this many data frames but lose their acks (the gateway will resend). */
  loseAcks = 0;
  /** Never answer (server down). */
  silent = false;
  #reply: ((payload: Uint8Array) => void) | undefined;
  /** keepMessages false: one bit per 16-bit sequence id seen. */
  readonly #seen: Uint8Array | undefined;

  constructor(options: AxonAckServerOptions = {}) {
    if (options.keepMessages === false) this.#seen = new Uint8Array(65536 / 8);
  }

  readonly udpHandler = (datagram: SimDatagram, reply: (payload: Uint8Array) => void): void => {
    this.#receive(datagram.payload, reply);
  };

  readonly platformHandler = (payload: Uint8Array, reply: (payload: Uint8Array) => void): void => {
    this.#receive(payload, reply);
  };

  /** Send a downlink frame back along the path the last uplink came from. */
  sendDownlink(seq: number, port: number, payload: Uint8Array): boolean {
    if (this.#reply === undefined) return false;
    const frame = new Uint8Array(5 + payload.length);
    frame.set([0xa1, 0x03, seq >> 8, seq & 0xff, port]);
    frame.set(payload, 5);
    this.#reply(frame);
    return true;
  }

  #receive(bytes: Uint8Array, reply: (payload: Uint8Array) => void): void {
    if (this.silent || bytes.length < 4 || bytes[0] !== 0xa1) return;
    this.#reply = reply;
    const type = bytes[1] & 0x7f;
    const seq = bytes[2] * 256 + bytes[3];
    if (type === 2) {
      this.downlinkAcks.push(seq);
      return;
    }
    if (type !== 1 || bytes.length < 5) return;
    if (this.ignoreNext > 0) {
      this.ignoreNext--;
      return;
    }
    if (this.#isRepeat(seq)) this.duplicates++;
    else {
      const alert = (bytes[1] & 0x80) !== 0;
      this.received++;
      if (alert) this.alertsReceived++;
      if (this.#seen === undefined) this.messages.push({ seq, port: bytes[4], alert, payload: bytes.slice(5) });
    }
    if (this.loseAcks > 0) {
      this.loseAcks--;
      return;
    }
    reply(Uint8Array.of(0xa1, 0x02, bytes[2], bytes[3]));
  }

  /** Seen before (and, with the bitmap, marked seen now). */
  #isRepeat(seq: number): boolean {
    if (this.#seen === undefined) return this.messages.some((m) => m.seq === seq);
    const bit = 1 << (seq & 7);
    const repeat = (this.#seen[seq >> 3] & bit) !== 0;
    this.#seen[seq >> 3] |= bit;
    return repeat;
  }
}

/**
 * The gateway pipeline's UplinkPort over the LoRaWAN MAC. Alerts jump the
 * queue. By default an alert the gateway gave a sequence number goes
 * unconfirmed like data, and the platform's data-ack releases it: at city
 * density a storm raises alarms on every gateway in the same second, and a
 * network ACK per alert blinds the half-duplex base station exactly then
 * (docs/app-ack.md; the gateway sends such an alert several times itself).
 * `alerts: 'network'`, or an alert too large to carry a sequence number,
 * goes confirmed: send() then resolves on the network's ACK and rejects
 * when the MAC's retransmissions never got one, so the log keeps the record.
 *
 * Data frames go unconfirmed by default (`delivery: 'application'`): at city
 * density every confirmed frame costs a downlink, and a half-duplex base
 * station hears nothing while it sends one. send() then resolves once the
 * frame is on the air, and the gateway keeps the record until the platform
 * acknowledges it with a data-ack downlink (docs/app-ack.md), a stronger
 * proof than a LoRaWAN ACK, which only says the network server heard it.
 * `delivery: 'network'` confirms every frame instead (the pre-application-ack
 * policy, for platforms that run no ack service).
 *
 * The MAC owns retransmission timing: an unconfirmed data frame is one
 * transaction (NbTrans repetitions at most), so an alert waits at most one
 * frame's airtime and receive windows, never a data frame's retry back-off.
 */
import { enqueueByPriority, type UplinkMessage, type UplinkPort } from '../../ports/uplink.js';
import type { LoraWanMac } from './mac.js';

interface Waiting {
  message: UplinkMessage;
  resolve(): void;
  reject(error: unknown): void;
}

export interface LoraWanUplinkOptions {
  /** 'application' (default): data unconfirmed, acknowledged by the platform's data-ack; 'network': every frame confirmed. */
  delivery?: 'application' | 'network';
  /** With application delivery: 'application' (default) sends sequenced alerts unconfirmed, 'network' confirms them. */
  alerts?: 'application' | 'network';
}

export class LoraWanUplink implements UplinkPort {
  readonly delivery: 'transport' | 'application';
  readonly alertDelivery: 'transport' | 'application';
  onDownlink: ((message: { port: number; payload: Uint8Array }) => void) | undefined;
  readonly mac: LoraWanMac;
  readonly #waiting: Waiting[] = [];
  #running = false;
  readonly #confirmData: boolean;

  constructor(mac: LoraWanMac, options: LoraWanUplinkOptions = {}) {
    this.mac = mac;
    this.#confirmData = options.delivery === 'network';
    this.delivery = this.#confirmData ? 'transport' : 'application';
    this.alertDelivery = this.delivery === 'application' && options.alerts !== 'network' ? 'application' : 'transport';
    mac.onDownlink = (downlink) => this.onDownlink?.(downlink);
  }

  /** The current data rate's limit minus the MAC answers waiting for FOpts; follows ADR. */
  maxPayloadBytes(): number {
    return this.mac.maxPayloadBytes();
  }

  /** Until the duty cycle lets a frame of `payloadBytes` go, ms (the MAC owns the timing). */
  readyInMs(payloadBytes: number): number {
    return this.mac.transmitDelayMs(payloadBytes);
  }

  send(message: UplinkMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry: Waiting = { message: { ...message, payload: message.payload.slice() }, resolve, reject };
      enqueueByPriority(this.#waiting, entry);
      if (!this.#running) void this.#drain();
    });
  }

  /** Messages waiting for the radio (the one being sent excluded). */
  get queued(): number {
    return this.#waiting.length;
  }

  #confirmed(message: UplinkMessage): boolean {
    if (message.priority !== 'alert') return this.#confirmData;
    // An alert too large to carry a sequence number (US915 DR0) keeps the network ACK.
    return this.alertDelivery !== 'application' || message.sequenced !== true;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      for (let next = this.#waiting.shift(); next !== undefined; next = this.#waiting.shift()) {
        const { message } = next;
        try {
          await this.mac.sendFrame({ port: message.port, payload: message.payload, confirmed: this.#confirmed(message) });
          next.resolve();
        } catch (error) {
          next.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

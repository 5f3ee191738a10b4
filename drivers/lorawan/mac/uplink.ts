/**
 * The gateway pipeline's UplinkPort over the LoRaWAN MAC. Alerts go out
 * confirmed and jump the queue; data goes unconfirmed. send() resolves when
 * the frame was sent (data) or acknowledged (alerts) and rejects when an
 * alert was never acknowledged, so the store-and-forward log keeps the record.
 */
import type { UplinkMessage, UplinkPort } from '../../ports/uplink.js';
import type { LoraWanMac } from './mac.js';

interface Waiting {
  message: UplinkMessage;
  resolve(): void;
  reject(error: unknown): void;
}

export class LoraWanUplink implements UplinkPort {
  onDownlink: ((message: { port: number; payload: Uint8Array }) => void) | undefined;
  readonly mac: LoraWanMac;
  readonly #waiting: Waiting[] = [];
  #running = false;

  constructor(mac: LoraWanMac) {
    this.mac = mac;
    mac.onDownlink = (downlink) => this.onDownlink?.(downlink);
  }

  /** The current data rate's limit minus the MAC answers waiting for FOpts; follows ADR. */
  maxPayloadBytes(): number {
    return this.mac.maxPayloadBytes();
  }

  send(message: UplinkMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry: Waiting = { message: { ...message, payload: message.payload.slice() }, resolve, reject };
      // Alerts go ahead of waiting data, behind earlier alerts.
      const at = message.priority === 'alert' ? this.#waiting.findIndex((w) => w.message.priority !== 'alert') : -1;
      if (at < 0) this.#waiting.push(entry);
      else this.#waiting.splice(at, 0, entry);
      if (!this.#running) void this.#drain();
    });
  }

  /** Messages waiting for the radio (the one being sent excluded). */
  get queued(): number {
    return this.#waiting.length;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      for (let next = this.#waiting.shift(); next !== undefined; next = this.#waiting.shift()) {
        const { message } = next;
        try {
          await this.mac.sendFrame({ port: message.port, payload: message.payload, confirmed: message.priority === 'alert' });
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

/**
 * The gateway pipeline's UplinkPort over the LoRaWAN MAC. Alerts jump the
 * queue. send() resolves once the network acknowledged the frame and rejects
 * when it never did, so the store-and-forward log keeps the record.
 *
 * Why data frames are confirmed too (by default): an unconfirmed frame sent
 * while the network server is down is gone, and the log would have dropped
 * it, which breaks the UplinkPort contract (acknowledged, at-least-once). A
 * gateway sends a batch every half hour or so, so the network's downlink
 * budget pays a few ACKs an hour, not one per sensor reading. `confirm:
 * 'alerts'` gives that guarantee up to spare the network's downlinks: data
 * then resolves once on the air (at-most-once), for networks that forbid
 * confirmed traffic.
 */
import type { UplinkMessage, UplinkPort } from '../../ports/uplink.js';
import type { LoraWanMac } from './mac.js';

interface Waiting {
  message: UplinkMessage;
  resolve(): void;
  reject(error: unknown): void;
}

export interface LoraWanUplinkOptions {
  /** Which frames go confirmed: 'all' (default; send() means acknowledged) or 'alerts' (data at-most-once). */
  confirm?: 'all' | 'alerts';
}

export class LoraWanUplink implements UplinkPort {
  onDownlink: ((message: { port: number; payload: Uint8Array }) => void) | undefined;
  readonly mac: LoraWanMac;
  readonly #waiting: Waiting[] = [];
  #running = false;
  readonly #confirmData: boolean;

  constructor(mac: LoraWanMac, options: LoraWanUplinkOptions = {}) {
    this.mac = mac;
    this.#confirmData = (options.confirm ?? 'all') === 'all';
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
          await this.mac.sendFrame({ port: message.port, payload: message.payload, confirmed: message.priority === 'alert' || this.#confirmData });
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

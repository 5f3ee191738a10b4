/**
 * One device's pending downlinks. Class A devices can only be reached in the
 * two receive windows after one of their uplinks, so everything waits here:
 * application payloads (from MQTT command/down or the API) in arrival order,
 * and MAC commands the network wants to send (ADR, status requests, answers).
 * MAC commands ride in FOpts of the next downlink, ahead of application data.
 */
import { newUuid } from './identity.js';

export interface QueuedDownlink {
  /** Reported back in event/ack and event/txack (ChirpStack's queueItemId, a UUID unless the command gave one). */
  id: string;
  fPort: number;
  data: Uint8Array;
  confirmed: boolean;
}

export class DownlinkQueue {
  readonly #app: QueuedDownlink[] = [];
  #mac: Uint8Array[] = [];

  /** Queue application data; returns the item (with its id). */
  enqueue(item: Omit<QueuedDownlink, 'id'> & { id?: string }): QueuedDownlink {
    if (!Number.isInteger(item.fPort) || item.fPort < 1 || item.fPort > 223) {
      throw new RangeError(`downlink fPort ${item.fPort} must be 1–223 (0 is for MAC commands, 224+ reserved)`);
    }
    const queued: QueuedDownlink = { id: item.id ?? newUuid(), fPort: item.fPort, data: item.data, confirmed: item.confirmed };
    this.#app.push(queued);
    return queued;
  }

  /** Queue one MAC command (CID and its payload). A command of the same CID replaces the older one. */
  enqueueMac(command: Uint8Array): void {
    this.#mac = this.#mac.filter((c) => c[0] !== command[0]);
    this.#mac.push(command);
  }

  get appLength(): number {
    return this.#app.length;
  }

  get macLength(): number {
    return this.#mac.length;
  }

  peekApp(): QueuedDownlink | undefined {
    return this.#app[0];
  }

  shiftApp(): QueuedDownlink | undefined {
    return this.#app.shift();
  }

  /** Take MAC commands in order while they fit in `budget` bytes; the rest stay for the next downlink. */
  takeMac(budget: number): Uint8Array[] {
    const taken: Uint8Array[] = [];
    let used = 0;
    while (this.#mac.length > 0 && used + this.#mac[0].length <= budget) {
      const command = this.#mac.shift() as Uint8Array;
      used += command.length;
      taken.push(command);
    }
    return taken;
  }

  /** Forget MAC state (a new session starts from scratch); application data survives a re-join. */
  clearMac(): void {
    this.#mac = [];
  }
}

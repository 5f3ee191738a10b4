import type { ByteStream, SerialLineSettings } from './byte-stream.js';
import type { Clock } from './clock.js';
import { characterTimeMs } from './byte-stream.js';

/**
 * Two connected in-memory byte streams (a null-modem cable). When a clock and
 * line settings are given, delivery takes the bytes' wire time, so framing code
 * sees realistic timing in virtual time.
 */
export function createStreamPair(options: { clock?: Clock; line?: SerialLineSettings } = {}): [MemoryStream, MemoryStream] {
  const a = new MemoryStream(options);
  const b = new MemoryStream(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export class MemoryStream implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings | undefined;
  peer: MemoryStream | undefined;
  #closed = false;
  readonly #clock: Clock | undefined;
  /** Time the line becomes free again (bytes queue behind each other on the wire). */
  #lineFreeAt = 0;

  constructor(options: { clock?: Clock; line?: SerialLineSettings } = {}) {
    this.#clock = options.clock;
    this.line = options.line;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Uint8Array): void {
    if (this.#closed) throw new Error('MemoryStream: write after close');
    const peer = this.peer;
    if (peer === undefined || peer.#closed) return; // nobody listening: bytes fall off the wire
    const copy = bytes.slice();
    const clock = this.#clock;
    if (clock === undefined || this.line === undefined) {
      queueDelivery(peer, copy);
      return;
    }
    const start = Math.max(clock.now(), this.#lineFreeAt);
    this.#lineFreeAt = start + copy.length * characterTimeMs(this.line);
    clock.schedule(this.#lineFreeAt - clock.now(), () => {
      if (!peer.#closed) peer.onReadable?.(copy);
    });
  }

  close(): void {
    this.#closed = true;
  }
}

function queueDelivery(peer: MemoryStream, bytes: Uint8Array): void {
  void Promise.resolve().then(() => {
    if (!peer.closed) peer.onReadable?.(bytes);
  });
}

/**
 * Bus noise for the soak: a wrapper around a bus's gateway end that, while
 * `noisy` is on, damages some of the chunks arriving from the devices (a bit
 * flipped, a burst of junk before or after), as a long RS-485 run next to a
 * pump motor does. The gateway must treat them as failed polls, never crash
 * or lose a reading it already has.
 */
import type { ByteStream, SerialLineSettings } from '../drivers/ports/byte-stream.js';
import type { Random } from '../fuzz/random.js';

export class NoisyPort implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  /** Damage chunks while true. */
  noisy = false;
  /** Chunks damaged so far. */
  damaged = 0;
  readonly #inner: ByteStream;
  readonly #random: Random;

  constructor(inner: ByteStream, random: Random, rate: number) {
    this.#inner = inner;
    this.#random = random;
    inner.onReadable = (bytes) => this.onReadable?.(this.noisy && random.chance(rate) ? this.#damage(bytes) : bytes);
    inner.onError = (error) => this.onError?.(error);
  }

  get line(): SerialLineSettings | undefined {
    return this.#inner.line;
  }

  write(bytes: Uint8Array): void {
    this.#inner.write(bytes);
  }

  close(): void {
    this.#inner.close();
  }

  #damage(bytes: Uint8Array): Uint8Array {
    this.damaged++;
    const random = this.#random;
    if (bytes.length > 0 && random.chance(0.6)) {
      const out = bytes.slice();
      const bit = random.below(out.length * 8);
      out[bit >> 3] ^= 1 << (bit & 7);
      return out;
    }
    const junk = random.bytes(random.between(1, 6));
    const out = new Uint8Array(bytes.length + junk.length);
    if (random.chance(0.5)) {
      out.set(junk);
      out.set(bytes, junk.length);
    } else {
      out.set(bytes);
      out.set(junk, bytes.length);
    }
    return out;
  }
}

/**
 * One serial port, several protocol clients. ModbusRtuMaster, Dlt645Client
 * and Cjt188Client each take a ByteStream and set its onReadable, so two of
 * them cannot share a raw port. PortMux owns the port and hands each client a
 * channel (a ByteStream of its own); the scheduler claims the port for one
 * channel at a time, and only that channel may transmit and receives what
 * comes back. Bytes that arrive while nobody holds the port (a reply after its
 * timeout) are dropped and counted, so they can never be taken as the answer
 * to another client's request.
 */
import { AxonError } from '../errors.js';
import type { ByteStream, SerialLineSettings } from '../ports/byte-stream.js';
import { characterTimeMs } from '../ports/byte-stream.js';
import type { Clock } from '../ports/clock.js';

export interface PortMuxStats {
  bytesSent: number;
  bytesReceived: number;
  /** Bytes received while no channel held the port. */
  strayBytes: number;
  claims: number;
}

export class PortMux {
  readonly stats: PortMuxStats = { bytesSent: 0, bytesReceived: 0, strayBytes: 0, claims: 0 };
  readonly #stream: ByteStream;
  readonly #clock: Clock;
  readonly #charMs: number;
  readonly #channels = new Set<MuxChannel>();
  #owner: MuxChannel | undefined;
  #lastActivity = -Infinity;

  constructor(stream: ByteStream, clock: Clock, line?: SerialLineSettings) {
    this.#stream = stream;
    this.#clock = clock;
    const settings = line ?? stream.line;
    this.#charMs = settings === undefined ? 0 : characterTimeMs(settings);
    stream.onReadable = (bytes) => this.#receive(bytes);
    stream.onError = (error) => {
      for (const channel of this.#channels) channel.onError?.(error);
    };
  }

  /** A new sub-stream for one protocol client. */
  channel(name: string): MuxChannel {
    const channel = new MuxChannel(this, name, this.#stream.line);
    this.#channels.add(channel);
    return channel;
  }

  get owner(): MuxChannel | undefined {
    return this.#owner;
  }

  /** Give `channel` the port: it alone may transmit and it receives every byte until release(). */
  claim(channel: MuxChannel): void {
    if (this.#owner !== undefined && this.#owner !== channel) {
      throw new AxonError('PORT_BUSY', `channel '${channel.name}' claimed the port while '${this.#owner.name}' holds it`, {
        fix: 'only the port scheduler claims the port, one transaction sequence at a time',
      });
    }
    this.#owner = channel;
    this.stats.claims++;
  }

  release(channel: MuxChannel): void {
    if (this.#owner === channel) this.#owner = undefined;
  }

  /** Clock time the line was last busy: our last byte on the wire, or the last byte received. */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  close(): void {
    this.#owner = undefined;
    for (const channel of [...this.#channels]) channel.close();
    this.#stream.onReadable = undefined;
    this.#stream.onError = undefined;
    this.#stream.close();
  }

  /** Called by a channel. */
  transmit(channel: MuxChannel, bytes: Uint8Array): void {
    if (this.#owner !== channel) {
      throw new AxonError('PORT_NOT_OWNED', `channel '${channel.name}' wrote ${bytes.length} bytes without holding the port`, {
        fix: 'protocol clients must be driven through the port scheduler, which serialises transactions',
      });
    }
    const now = this.#clock.now();
    this.#lastActivity = Math.max(now, this.#lastActivity) + bytes.length * this.#charMs;
    this.stats.bytesSent += bytes.length;
    this.#stream.write(bytes);
  }

  /** Called by a channel when its client closes it. */
  detach(channel: MuxChannel): void {
    this.#channels.delete(channel);
    if (this.#owner === channel) this.#owner = undefined;
  }

  #receive(bytes: Uint8Array): void {
    this.#lastActivity = Math.max(this.#clock.now(), this.#lastActivity);
    this.stats.bytesReceived += bytes.length;
    const owner = this.#owner;
    if (owner === undefined || owner.onReadable === undefined) {
      this.stats.strayBytes += bytes.length;
      return;
    }
    owner.onReadable(bytes);
  }
}

/** A protocol client's view of the shared port. */
export class MuxChannel implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly name: string;
  readonly line: SerialLineSettings | undefined;
  readonly #mux: PortMux;
  #closed = false;

  constructor(mux: PortMux, name: string, line: SerialLineSettings | undefined) {
    this.#mux = mux;
    this.name = name;
    this.line = line;
  }

  write(bytes: Uint8Array): void {
    if (this.#closed) throw new AxonError('PORT_CLOSED', `channel '${this.name}' is closed`);
    this.#mux.transmit(this, bytes);
  }

  /** Closing a channel detaches its client; the port itself stays open for the others. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onReadable = undefined;
    this.#mux.detach(this);
  }
}

/**
 * A scripted far end for master tests: hands each request frame to a script
 * that decides the reply bytes and their delay. Runtime-neutral so the same
 * tests run in XS. (The full simulated devices live in simulators/.)
 */
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock } from '../ports/clock.js';
import { fromHex } from '../bytes.js';
import { withCrc } from './crc16.js';

export interface ScriptedReply {
  bytes?: Uint8Array;
  delayMs?: number;
}

export class ScriptedResponder {
  readonly requests: Uint8Array[] = [];
  #pending = new Uint8Array(0);

  constructor(
    private readonly stream: ByteStream,
    private readonly clock: Clock,
    private readonly script: (request: Uint8Array, index: number) => ScriptedReply | undefined,
    /** Length of a complete request given its first bytes (RTU: by function code). */
    private readonly requestLength: (bytes: Uint8Array) => number | undefined = rtuRequestLength,
  ) {
    stream.onReadable = (bytes) => this.#receive(bytes);
  }

  #receive(bytes: Uint8Array): void {
    const merged = new Uint8Array(this.#pending.length + bytes.length);
    merged.set(this.#pending);
    merged.set(bytes, this.#pending.length);
    this.#pending = merged;
    for (;;) {
      const length = this.requestLength(this.#pending);
      if (length === undefined || this.#pending.length < length) return;
      const request = this.#pending.slice(0, length);
      this.#pending = this.#pending.slice(length);
      const reply = this.script(request, this.requests.length);
      this.requests.push(request);
      if (reply?.bytes !== undefined) {
        const bytesOut = reply.bytes;
        this.clock.schedule(reply.delayMs ?? 5, () => this.stream.write(bytesOut));
      }
    }
  }
}

export function rtuRequestLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2) return undefined;
  const fc = bytes[1];
  if (fc === 15 || fc === 16) return bytes.length < 7 ? undefined : 9 + bytes[6];
  return 8;
}

/** RTU frame from a unit id and PDU hex (CRC appended). */
export function rtu(unit: number, pduHex: string): Uint8Array {
  const pdu = fromHex(pduHex);
  const frame = new Uint8Array(pdu.length + 1);
  frame[0] = unit;
  frame.set(pdu, 1);
  return withCrc(frame);
}

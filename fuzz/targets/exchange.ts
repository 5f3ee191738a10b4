/**
 * Feeding a reply to a real master or client: it sends its request over an
 * in-memory serial line in virtual time, the far end answers with the fuzz
 * bytes, and the call must settle with a result or a typed error.
 *
 * Input layout for these targets: one selector byte, then the reply.
 *   bits 0–3  which request the client makes (modulo the target's list)
 *   bit 7     deliver the reply in two pieces, bits 4–6 × 3 ms apart
 * so an input's hex alone reproduces it.
 */
import type { ByteStream, SerialLineSettings } from '../../drivers/ports/byte-stream.js';
import { createStreamPair } from '../../drivers/ports/memory-stream.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import type { LengthField, Seed } from '../target.js';
import { rethrowUnlessTyped } from '../typed-error.js';

/** Virtual time after which a request still pending counts as a hang. */
const HANG_MS = 60_000;

export type Request<C> = (client: C) => Promise<unknown>;

export interface ExchangeOptions<C> {
  line: SerialLineSettings | undefined;
  client(stream: ByteStream, clock: VirtualClock): C;
  requests: ReadonlyArray<Request<C>>;
}

export async function exchange<C>(input: Uint8Array, options: ExchangeOptions<C>): Promise<void> {
  const selector = input[0] ?? 0;
  const reply = input.subarray(1);
  const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 0, 1) });
  const [near, far] = createStreamPair({ clock, line: options.line });
  let answered = false;
  far.onReadable = () => {
    if (answered) return;
    answered = true;
    if ((selector & 0x80) === 0) {
      far.write(reply);
      return;
    }
    const cut = reply.length >> 1;
    far.write(reply.subarray(0, cut));
    clock.schedule(((selector >> 4) & 7) * 3, () => far.write(reply.subarray(cut)));
  };
  const client = options.client(near, clock);
  const request = options.requests[(selector & 0x0f) % options.requests.length];
  await clock.run(request(client), HANG_MS);
}

/** The far end's answer to request `index` as a seed (length fields shifted past the selector). */
export function replySeed(index: number, reply: Uint8Array, lengths: readonly LengthField[] = []): Seed {
  const bytes = new Uint8Array(reply.length + 1);
  bytes[0] = index;
  bytes.set(reply, 1);
  return { bytes, lengths: lengths.map((f) => ({ ...f, at: f.at + 1 })) };
}

/** Record what a simulator answers to each request: the seeds of a client target. */
export async function recordReplies<C>(options: ExchangeOptions<C>, attachSimulator: (stream: ByteStream, clock: VirtualClock, request: number) => void): Promise<Uint8Array[]> {
  const replies: Uint8Array[] = [];
  for (const [index, request] of options.requests.entries()) {
    const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 0, 1) });
    const [near, far] = createStreamPair({ clock, line: options.line });
    const chunks: Uint8Array[] = [];
    const write = far.write.bind(far);
    far.write = (bytes: Uint8Array) => {
      chunks.push(bytes.slice());
      write(bytes);
    };
    attachSimulator(far, clock, index);
    try {
      await clock.run(request(options.client(near, clock)), HANG_MS);
    } catch (error) {
      rethrowUnlessTyped(error); // an error reply (no such data) is a seed too
    }
    const reply = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      reply.set(chunk, at);
      at += chunk.length;
    }
    replies.push(reply);
  }
  return replies;
}

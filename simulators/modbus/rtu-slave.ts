/**
 * A Modbus RTU slave on a ByteStream, answering from a DeviceSimulator: ours,
 * runtime-neutral, for in-process virtual-time tests and for running inside XS.
 * (The real-wire simulator facing the gateway uses modbus-serial's ServerSerial,
 * an independent implementation: see modbus-serial-front.ts.)
 *
 * Framing: a request is complete when it has the length its function code
 * implies (8 bytes for FC01–06, 9 + byte count for FC15/16) and its CRC checks.
 * Like a real device it stays silent on a bad CRC or another unit's address, and
 * drops a partial frame after an inter-frame gap. Unknown function codes have no
 * implied length; they are taken as a frame at the gap and, when their CRC
 * checks, answered with exception 1 ILLEGAL_FUNCTION. Unit 0 is broadcast:
 * writes are applied and nothing is answered.
 */
import type { ByteStream } from '../../drivers/ports/byte-stream.js';
import { characterTimeMs } from '../../drivers/ports/byte-stream.js';
import type { Clock, TimerHandle } from '../../drivers/ports/clock.js';
import { hasValidCrc, withCrc } from '../../drivers/modbus/crc16.js';
import { concatBytes } from '../../drivers/bytes.js';
import type { DeviceSimulator } from '../device-sim.js';
import type { FaultInjector, FaultKind } from './faults.js';
import { answerPdu } from './answer.js';

export interface RtuSlaveOptions {
  stream: ByteStream;
  clock: Clock;
  /** Unit id this slave answers to (1–247). */
  unit: number;
  device: DeviceSimulator;
  faults?: FaultInjector;
  /** Time from the end of a request to the start of the reply. Default 10 ms (devices take 5–50). */
  turnaroundMs?: number;
  /**
   * Silence after which a partial frame is dropped. Default: t3.5 for the
   * stream's line settings, but at least 20 ms, because host serial drivers and
   * ptys deliver one frame in several chunks with small gaps.
   */
  interFrameGapMs?: number;
}

export interface RtuSlaveStats {
  requests: number;
  replies: number;
  exceptions: number;
  ignoredOtherUnit: number;
  ignoredBadCrc: number;
  droppedPartial: number;
  faults: number;
}

export class RtuSlave {
  readonly stats: RtuSlaveStats = { requests: 0, replies: 0, exceptions: 0, ignoredOtherUnit: 0, ignoredBadCrc: 0, droppedPartial: 0, faults: 0 };
  /** Fault applied to the most recent reply, for tests and logs. */
  lastFault: FaultKind | undefined;
  readonly #stream: ByteStream;
  readonly #clock: Clock;
  readonly #unit: number;
  readonly #device: DeviceSimulator;
  readonly #faults: FaultInjector | undefined;
  readonly #turnaroundMs: number;
  readonly #gapMs: number;
  #buffer: Uint8Array = new Uint8Array(0);
  #gapTimer: TimerHandle | undefined;
  readonly #replyTimers = new Set<TimerHandle>();
  #closed = false;

  constructor(options: RtuSlaveOptions) {
    this.#stream = options.stream;
    this.#clock = options.clock;
    this.#unit = options.unit;
    this.#device = options.device;
    this.#faults = options.faults;
    this.#turnaroundMs = options.turnaroundMs ?? 10;
    const line = options.stream.line;
    this.#gapMs = options.interFrameGapMs ?? Math.max(20, line === undefined ? 0 : 3.5 * characterTimeMs(line));
    this.#stream.onReadable = (bytes) => this.#receive(bytes);
  }

  close(): void {
    this.#closed = true;
    if (this.#gapTimer !== undefined) this.#clock.cancel(this.#gapTimer);
    for (const timer of this.#replyTimers) this.#clock.cancel(timer);
    this.#replyTimers.clear();
    this.#stream.onReadable = undefined;
  }

  #receive(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#buffer = this.#buffer.length === 0 ? bytes.slice() : concatBytes(this.#buffer, bytes);
    if (this.#gapTimer !== undefined) this.#clock.cancel(this.#gapTimer);
    this.#gapTimer = undefined;
    for (;;) {
      const need = expectedRequestLength(this.#buffer);
      if (need === undefined || this.#buffer.length < need) break;
      const frame = this.#buffer.slice(0, need);
      this.#buffer = this.#buffer.slice(need);
      if (!hasValidCrc(frame)) {
        // The frame is corrupt, so whatever came with it in the same burst is suspect too.
        this.stats.ignoredBadCrc++;
        this.#buffer = new Uint8Array(0);
        break;
      }
      this.#handle(frame);
    }
    if (this.#buffer.length > 0) this.#gapTimer = this.#clock.schedule(this.#gapMs, () => this.#gap());
  }

  /** Silence after a partial frame: either an unknown function's complete frame or junk. */
  #gap(): void {
    this.#gapTimer = undefined;
    const frame = this.#buffer;
    this.#buffer = new Uint8Array(0);
    if (frame.length >= 4 && hasValidCrc(frame)) this.#handle(frame);
    else this.stats.droppedPartial++;
  }

  #handle(frame: Uint8Array): void {
    const unit = frame[0];
    if (unit !== this.#unit && unit !== 0) {
      this.stats.ignoredOtherUnit++;
      return;
    }
    this.stats.requests++;
    const reply = answerPdu(this.#device, frame.subarray(1, frame.length - 2));
    if (unit === 0) return; // broadcast: act, never answer
    if ((reply[0] & 0x80) !== 0) this.stats.exceptions++;
    const replyFrame = withCrc(concatBytes(Uint8Array.of(unit), reply));
    const outcome = this.#faults === undefined ? { bytes: replyFrame, delayMs: 0, fault: undefined } : this.#faults.applyRtu(replyFrame);
    this.lastFault = outcome.fault;
    if (outcome.fault !== undefined) this.stats.faults++;
    const bytes = outcome.bytes;
    if (bytes === undefined) return;
    const timer = this.#clock.schedule(this.#turnaroundMs + outcome.delayMs, () => {
      this.#replyTimers.delete(timer);
      if (this.#closed) return;
      this.stats.replies++;
      this.#stream.write(bytes);
    });
    this.#replyTimers.add(timer);
  }
}

/**
 * Length of the request at the start of `buffer`, from its function code; or
 * undefined when it cannot be known yet (too short) or at all (unknown function).
 */
export function expectedRequestLength(buffer: Uint8Array): number | undefined {
  if (buffer.length < 2) return undefined;
  const fc = buffer[1];
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buffer.length < 7 ? undefined : 9 + buffer[6];
  return undefined;
}

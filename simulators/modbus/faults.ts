/**
 * Fault injection for simulated Modbus slaves: the failures a field bus really
 * produces, on demand and reproducibly (seeded), so the master's error taxonomy,
 * retries and circuit breaker can be exercised without a flaky cable.
 *
 * RTU (reply frame with CRC):
 *   crc        same bytes and length, bits flipped in the last CRC byte
 *   exception  a valid exception reply, fc|0x80 code 4 SERVER_DEVICE_FAILURE
 *   silence    no reply at all
 *   slow       the normal reply, delayed by slowMs (default 1200 ms: past the
 *              master's 1000 ms timeout but inside its 500 ms late-reply window)
 *   garbage    6–12 random bytes instead of the reply, first byte ≠ unit id
 *   truncate   the reply minus its last 1–3 bytes
 *   wrong-unit the reply with unit id + 1 and a recomputed, valid CRC
 *
 * TCP (MBAP frame: 7-byte header then PDU, no CRC): the same kinds except `crc`,
 * which cannot exist there (TCP has its own checksum and MBAP carries none), so a
 * `crc` fault passes the reply through unchanged and is counted as not applied.
 * garbage on TCP is 6–12 random bytes whose protocol-id field (bytes 2–3) is
 * non-zero, so it can never parse as an MBAP header; truncate cuts 1–3 bytes off
 * the end while the header still promises the full length; wrong-unit rewrites
 * the MBAP unit id. Note that on a TCP stream garbage and truncation also shift
 * the framing of whatever follows: that is what a broken gateway does too.
 *
 * Runtime-neutral: no host globals; randomness from the seeded PRNG only.
 */
import { AxonError } from '../../drivers/errors.js';
import { withCrc } from '../../drivers/modbus/crc16.js';
import { mulberry32 } from '../models/prng.js';

export const FAULT_KINDS = ['crc', 'exception', 'silence', 'slow', 'garbage', 'truncate', 'wrong-unit'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** Chance per reply, 0–1. */
  probability: number;
}

export interface FaultOutcome {
  /** Bytes to send; undefined means stay silent. */
  bytes: Uint8Array | undefined;
  /** Extra delay before sending, on top of the slave's turnaround. */
  delayMs: number;
  /** The fault applied, if any. */
  fault: FaultKind | undefined;
}

export const DEFAULT_FAULT_PROBABILITY = 0.2;
export const DEFAULT_SLOW_MS = 1200;
/** Exception code 4 SERVER_DEVICE_FAILURE. */
export const FAULT_EXCEPTION_CODE = 4;

export class FaultConfigError extends AxonError {
  constructor(message: string, where: string, fix: string) {
    super('SIM_FAULT_CONFIG', message, { where, fix });
  }
}

/**
 * Parse CLI text such as "crc,slow:0.5" (kind[:probability], default 0.2).
 * Probabilities add up (one die is rolled per reply), so their sum must be ≤ 1.
 */
export function parseFaults(text: string): FaultSpec[] {
  const specs: FaultSpec[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return specs;
  for (const part of trimmed.split(',')) {
    const item = part.trim();
    const colon = item.indexOf(':');
    const kind = colon < 0 ? item : item.slice(0, colon).trim();
    if (!isFaultKind(kind)) {
      throw new FaultConfigError(`unknown fault kind "${kind}"`, `--faults ${text}`, `use one of ${FAULT_KINDS.join(', ')}, e.g. "crc,slow:0.5"`);
    }
    let probability = DEFAULT_FAULT_PROBABILITY;
    if (colon >= 0) {
      const raw = item.slice(colon + 1).trim();
      probability = Number(raw);
      if (raw === '' || !Number.isFinite(probability) || probability < 0 || probability > 1) {
        throw new FaultConfigError(`fault probability "${raw}" for ${kind} is not a number between 0 and 1`, `--faults ${text}`, 'write kind:probability, e.g. "slow:0.5"');
      }
    }
    specs.push({ kind, probability });
  }
  checkTotal(specs, `--faults ${text}`);
  return specs;
}

export function isFaultKind(text: string): text is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(text);
}

function checkTotal(specs: readonly FaultSpec[], where: string): void {
  const total = specs.reduce((sum, s) => sum + s.probability, 0);
  if (total > 1 + 1e-9) {
    throw new FaultConfigError(`fault probabilities add up to ${total}, more than 1`, where, 'lower the probabilities so at most one fault hits each reply');
  }
}

export class FaultInjector {
  readonly faults: readonly FaultSpec[];
  readonly slowMs: number;
  /** How many times each fault was applied, for logs and tests. */
  readonly counts: Record<FaultKind, number> = { crc: 0, exception: 0, silence: 0, slow: 0, garbage: 0, truncate: 0, 'wrong-unit': 0 };
  readonly #random: () => number;
  readonly #forced: FaultKind[] = [];

  constructor(options: { faults?: readonly FaultSpec[]; seed?: number; slowMs?: number } = {}) {
    this.faults = options.faults ?? [];
    checkTotal(this.faults, 'FaultInjector');
    this.slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
    this.#random = mulberry32(options.seed ?? 1);
  }

  /** Apply `kind` to exactly the next reply; later replies follow the configured odds again. */
  injectNext(kind: FaultKind): void {
    this.#forced.push(kind);
  }

  /** Decide the fault for the next reply (consumes a forced fault or rolls the die). */
  nextFault(): FaultKind | undefined {
    const forced = this.#forced.shift();
    if (forced !== undefined) return forced;
    if (this.faults.length === 0) return undefined;
    const roll = this.#random();
    let edge = 0;
    for (const spec of this.faults) {
      edge += spec.probability;
      if (roll < edge) return spec.kind;
    }
    return undefined;
  }

  /** Transform one RTU reply frame (with CRC). */
  applyRtu(reply: Uint8Array): FaultOutcome {
    const kind = this.nextFault();
    if (kind === undefined) return { bytes: reply, delayMs: 0, fault: undefined };
    this.counts[kind]++;
    return applyRtuFault(kind, reply, this.#random, this.slowMs);
  }

  /** Transform one Modbus TCP reply frame (MBAP header + PDU). */
  applyTcp(reply: Uint8Array): FaultOutcome {
    const kind = this.nextFault();
    if (kind === undefined) return { bytes: reply, delayMs: 0, fault: undefined };
    if (kind === 'crc') return { bytes: reply, delayMs: 0, fault: undefined };
    this.counts[kind]++;
    return applyTcpFault(kind, reply, this.#random, this.slowMs);
  }
}

/** One fault on an RTU reply `[unit, fc, ..., crcLo, crcHi]`. */
export function applyRtuFault(kind: FaultKind, reply: Uint8Array, random: () => number, slowMs = DEFAULT_SLOW_MS): FaultOutcome {
  const unit = reply[0];
  switch (kind) {
    case 'crc': {
      const bytes = reply.slice();
      // Flip one to eight bits (never zero bits) so the frame keeps its length but fails its check.
      bytes[bytes.length - 1] ^= 1 + Math.floor(random() * 255);
      return { bytes, delayMs: 0, fault: kind };
    }
    case 'exception':
      return { bytes: withCrc(Uint8Array.of(unit, (reply[1] | 0x80) & 0xff, FAULT_EXCEPTION_CODE)), delayMs: 0, fault: kind };
    case 'silence':
      return { bytes: undefined, delayMs: 0, fault: kind };
    case 'slow':
      return { bytes: reply, delayMs: slowMs, fault: kind };
    case 'garbage': {
      const bytes = randomBytes(random, 6 + Math.floor(random() * 7));
      if (bytes[0] === unit) bytes[0] = (unit + 1 + Math.floor(random() * 254)) & 0xff;
      return { bytes, delayMs: 0, fault: kind };
    }
    case 'truncate':
      return { bytes: reply.slice(0, Math.max(1, reply.length - (1 + Math.floor(random() * 3)))), delayMs: 0, fault: kind };
    case 'wrong-unit': {
      const body = reply.slice(0, reply.length - 2);
      body[0] = (unit + 1) & 0xff;
      return { bytes: withCrc(body), delayMs: 0, fault: kind };
    }
  }
}

/** One fault on a TCP reply `[tid hi, tid lo, 0, 0, len hi, len lo, unit, fc, ...]`. */
export function applyTcpFault(kind: Exclude<FaultKind, 'crc'>, reply: Uint8Array, random: () => number, slowMs = DEFAULT_SLOW_MS): FaultOutcome {
  switch (kind) {
    case 'exception': {
      const bytes = Uint8Array.of(reply[0], reply[1], 0, 0, 0, 3, reply[6], (reply[7] | 0x80) & 0xff, FAULT_EXCEPTION_CODE);
      return { bytes, delayMs: 0, fault: kind };
    }
    case 'silence':
      return { bytes: undefined, delayMs: 0, fault: kind };
    case 'slow':
      return { bytes: reply, delayMs: slowMs, fault: kind };
    case 'garbage': {
      const bytes = randomBytes(random, 6 + Math.floor(random() * 7));
      if (bytes[2] === 0 && bytes[3] === 0) bytes[2] = 1 + Math.floor(random() * 255);
      return { bytes, delayMs: 0, fault: kind };
    }
    case 'truncate':
      return { bytes: reply.slice(0, Math.max(1, reply.length - (1 + Math.floor(random() * 3)))), delayMs: 0, fault: kind };
    case 'wrong-unit': {
      const bytes = reply.slice();
      bytes[6] = (bytes[6] + 1) & 0xff;
      return { bytes, delayMs: 0, fault: kind };
    }
  }
}

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

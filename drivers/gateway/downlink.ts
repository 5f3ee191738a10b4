/**
 * Downlinks to the gateway (docs/gateway.md, "Downlinks"). Tiny on purpose:
 * a LoRaWAN class A downlink may carry as little as 11 bytes. Rules and
 * devices are named by their numbers in the channel table, which never change
 * (append-only), so a platform that decodes the gateway's alerts can answer
 * them with the same numbers.
 *
 *   0x01 rule [level]       acknowledge an alarm: rule index (as in alert
 *                           messages); level 1 warning, 2 critical, 0 or
 *                           absent both
 *   0x02 ch ch p p p        set a device's poll period: a channel index
 *                           (uint16, any channel of the device) and the
 *                           period in seconds (uint24; 0 = back to the site
 *                           file's period; otherwise 1–86 400 s, or the
 *                           narrower `downlinkPollPeriodS` of the device's
 *                           manifest: see poll-period-bounds.ts)
 *   0x03 s s [bitmap…]      application acknowledgement of sequenced data
 *                           frames (docs/app-ack.md): base sequence number
 *                           (uint16, bit 15 zero); bitmap bit i (most
 *                           significant first) = base + i received, clear =
 *                           missing; 0–8 bitmap bytes, so 3–11 bytes in all
 *
 * A downlink the gateway will not obey throws DownlinkRefused: its reason
 * (and the channel or rule index it named) goes back to the platform in the
 * next status message (docs/batch-format.md §7).
 */
import { AxonError } from '../errors.js';
import type { ChannelTable } from '../batch/channels.js';
import { readUint, writeUint } from '../batch/fixed-bytes.js';
import { SEQ_MODULUS } from '../batch/sequenced.js';
import type { AlertLevel } from '../rules/config.js';

export const DOWNLINK_ACKNOWLEDGE = 0x01;
export const DOWNLINK_POLL_PERIOD = 0x02;
export const DOWNLINK_DATA_ACK = 0x03;
/** Sequence numbers one acknowledgement covers: the base and the 63 after it. */
export const DATA_ACK_SPAN = 64;

export type Downlink =
  | { kind: 'acknowledge'; rule: string; level?: AlertLevel }
  | { kind: 'poll-period'; device: string; /** undefined: back to the site file's period */ periodS?: number }
  /** The platform received `seqs`, and not the other sequence numbers of base … base + 63 (mod 32768). */
  | { kind: 'data-ack'; base: number; seqs: number[] };

const LEVELS: ReadonlyArray<AlertLevel | undefined> = [undefined, 'warning', 'critical'];

/** Why a downlink was refused (numbered in the status message: 1, 2, 3). */
export type RefusalReason = 'malformed' | 'unknown-target' | 'out-of-bounds';

/** A downlink the gateway refused: not obeyed, not persisted, reported in the next status. */
export class DownlinkRefused extends AxonError {
  static override readonly errorName: string = 'DownlinkRefused';
  readonly reason: RefusalReason;
  /** The downlink's type byte (its first byte; 0 for an empty downlink). */
  readonly downlinkType: number;
  /** The channel (poll period) or rule (acknowledge) index it named, if it named one. */
  readonly index: number | undefined;

  constructor(code: string, message: string, details: { reason: RefusalReason; downlinkType: number; index?: number; where: string; fix: string }) {
    super(code, message, { where: details.where, fix: details.fix });
    this.reason = details.reason;
    this.downlinkType = details.downlinkType;
    this.index = details.index;
  }
}

function malformed(message: string, where: string, bytes: Uint8Array, target?: { index: number }): DownlinkRefused {
  return new DownlinkRefused('DOWNLINK_MALFORMED', message, {
    reason: target === undefined ? 'malformed' : 'unknown-target',
    downlinkType: bytes[0] ?? 0,
    index: target?.index,
    where,
    fix: 'encode downlinks as docs/gateway.md describes (encodeDownlink)',
  });
}

export function decodeDownlink(bytes: Uint8Array, table: ChannelTable): Downlink {
  const type = bytes[0];
  if (type === DOWNLINK_ACKNOWLEDGE) {
    if (bytes.length !== 2 && bytes.length !== 3) throw malformed(`acknowledge downlink of ${bytes.length} bytes; expected 2 or 3`, 'length', bytes);
    const rule = table.rules[bytes[1]];
    if (rule === undefined || rule.retired === true) throw malformed(`acknowledge for rule index ${bytes[1]}, which this gateway does not run`, 'byte 1', bytes, { index: bytes[1] });
    const level = LEVELS[bytes[2] ?? 0];
    if (bytes.length === 3 && level === undefined && bytes[2] !== 0) throw malformed(`level ${bytes[2]} is not 0, 1 or 2`, 'byte 2', bytes);
    return level === undefined ? { kind: 'acknowledge', rule: rule.id } : { kind: 'acknowledge', rule: rule.id, level };
  }
  if (type === DOWNLINK_POLL_PERIOD) {
    if (bytes.length !== 6) throw malformed(`poll-period downlink of ${bytes.length} bytes; expected 6`, 'length', bytes);
    const channel = table.channels[readUint(bytes, 1, 2)];
    if (channel === undefined || channel.retired === true) throw malformed(`poll period for channel ${readUint(bytes, 1, 2)}, which this gateway does not have`, 'bytes 1-2', bytes, { index: readUint(bytes, 1, 2) });
    const periodS = readUint(bytes, 3, 3);
    return periodS === 0 ? { kind: 'poll-period', device: channel.device } : { kind: 'poll-period', device: channel.device, periodS };
  }
  if (type === DOWNLINK_DATA_ACK) return decodeDataAck(bytes);
  throw malformed(`unknown downlink type 0x${(type ?? 0).toString(16).padStart(2, '0')}`, 'byte 0', bytes);
}

function decodeDataAck(bytes: Uint8Array): Downlink {
  if (bytes.length < 3 || bytes.length > 11) throw malformed(`data-ack downlink of ${bytes.length} bytes; expected 3 to 11`, 'length', bytes);
  const base = readUint(bytes, 1, 2);
  if (base >= SEQ_MODULUS) throw malformed(`data-ack base ${base} has bit 15 set (sequence numbers are 15 bits)`, 'bytes 1-2', bytes);
  const seqs: number[] = [];
  for (let i = 0; i < (bytes.length - 3) * 8; i++) {
    if ((bytes[3 + (i >> 3)] >> (7 - (i & 7))) & 1) seqs.push((base + i) % SEQ_MODULUS);
  }
  return { kind: 'data-ack', base, seqs };
}

/** Bytes of a data-ack: `seqs` (received) must lie within base … base + 63 (mod 32768). */
export function encodeDataAck(base: number, seqs: readonly number[]): Uint8Array {
  if (!Number.isInteger(base) || base < 0 || base >= SEQ_MODULUS) throw new RangeError(`data-ack base ${base} is not a sequence number 0…${SEQ_MODULUS - 1}`);
  const offsets = seqs.map((s) => (s - base + SEQ_MODULUS) % SEQ_MODULUS);
  const beyond = offsets.findIndex((o) => !(o >= 0 && o < DATA_ACK_SPAN));
  if (beyond >= 0) throw new RangeError(`sequence number ${seqs[beyond]} is not within 64 of the base ${base}: send it in another data-ack`);
  const out = new Uint8Array(3 + (offsets.length === 0 ? 0 : (Math.max(...offsets) >> 3) + 1));
  out[0] = DOWNLINK_DATA_ACK;
  writeUint(out, 1, base, 2);
  for (const o of offsets) out[3 + (o >> 3)] |= 0x80 >> (o & 7);
  return out;
}

/** The platform side (and tests): the bytes of a downlink. */
export function encodeDownlink(downlink: Downlink, table: ChannelTable): Uint8Array {
  if (downlink.kind === 'data-ack') return encodeDataAck(downlink.base, downlink.seqs);
  if (downlink.kind === 'acknowledge') {
    const rule = table.rules.find((r) => r.id === downlink.rule && r.retired !== true);
    if (rule === undefined || rule.index > 255) throw new RangeError(`rule ${downlink.rule} has no index below 256 in the channel table`);
    return downlink.level === undefined ? Uint8Array.of(DOWNLINK_ACKNOWLEDGE, rule.index) : Uint8Array.of(DOWNLINK_ACKNOWLEDGE, rule.index, LEVELS.indexOf(downlink.level));
  }
  const channel = table.channels.find((c) => c.device === downlink.device && c.retired !== true);
  if (channel === undefined) throw new RangeError(`device ${downlink.device} has no channel in the channel table`);
  const periodS = downlink.periodS ?? 0;
  if (!Number.isInteger(periodS) || periodS < 0 || periodS >= 2 ** 24) throw new RangeError(`poll period ${periodS} s does not fit 24 bits`);
  const out = new Uint8Array(6);
  out[0] = DOWNLINK_POLL_PERIOD;
  writeUint(out, 1, channel.index, 2);
  writeUint(out, 3, periodS, 3);
  return out;
}

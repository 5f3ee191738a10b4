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
 *
 * A downlink the gateway will not obey throws DownlinkRefused: its reason
 * (and the channel or rule index it named) goes back to the platform in the
 * next status message (docs/batch-format.md §7).
 */
import { AxonError } from '../errors.js';
import type { ChannelTable } from '../batch/channels.js';
import { readUint, writeUint } from '../batch/fixed-bytes.js';
import type { AlertLevel } from '../rules/config.js';

export const DOWNLINK_ACKNOWLEDGE = 0x01;
export const DOWNLINK_POLL_PERIOD = 0x02;

export type Downlink =
  | { kind: 'acknowledge'; rule: string; level?: AlertLevel }
  | { kind: 'poll-period'; device: string; /** undefined: back to the site file's period */ periodS?: number };

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
  throw malformed(`unknown downlink type 0x${(type ?? 0).toString(16).padStart(2, '0')}`, 'byte 0', bytes);
}

/** The platform side (and tests): the bytes of a downlink. */
export function encodeDownlink(downlink: Downlink, table: ChannelTable): Uint8Array {
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

/**
 * Alert message (type 2): one alert event, sent at once, never batched, and
 * small enough for the smallest LoRaWAN payload (11 bytes, US915 DR0).
 *
 *   byte 0      0x12
 *   byte 1      rule index in the channel table (≤ 255 rules)
 *   byte 2      flags: bit 7 level (1 critical) · bits 6–5 state (0 raised,
 *               1 cleared, 2 acknowledged) · bits 4–3 value (0 none, 1 false,
 *               2 true, 3 number) · bit 2 value clipped to int32 · bit 1 value
 *               in thousandths (the point has no channel) · bit 0 reserved (0)
 *   bytes 3–6   event time, unix seconds, big-endian
 *   bytes 7–10  numeric value as int32 at the channel resolution (value 3 only)
 *
 * The compromises that buy 11 bytes: the message text is not sent (the decoder
 * rebuilds device, point and rule from the table), time is whole seconds, and
 * a number beyond ±2^31 resolution units is clipped and flagged.
 */
import type { AlertEvent, AlertState } from '../gateway/events.js';
import { findChannel, fromFixed, type ChannelTable, type RuleRef } from './channels.js';
import { BatchError } from './errors.js';
import { expectLength, readUint, unixSeconds, writeUint } from './fixed-bytes.js';
import { headerByte } from './format.js';

/** An alert as the far side decodes it: the event without its text (rebuilt from the rule), plus clipping. */
export type DecodedAlert = Omit<AlertEvent, 'message'> & {
  /** The value was beyond int32 resolution units and is the clipped bound. */
  clipped?: boolean;
};

const STATES: readonly AlertState[] = ['raised', 'cleared', 'acknowledged'];
const VALUE_NONE = 0;
const VALUE_FALSE = 1;
const VALUE_TRUE = 2;
const VALUE_NUMBER = 3;
const FLAG_CLIPPED = 4;
const FLAG_MILLI = 2;
const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

export function encodeAlert(event: AlertEvent, table: ChannelTable): Uint8Array {
  const rule = table.rules.find((r) => r.id === event.rule && r.retired !== true);
  if (rule === undefined || rule.index > 255) {
    throw new BatchError('BATCH_UNKNOWN_RULE', rule === undefined ? `rule "${event.rule}" is not in the channel table` : `rule "${event.rule}" has index ${rule.index}; alerts carry at most 256 rules`, {
      fix: 'rebuild the channel table from the current site and regenerate the codec',
    });
  }
  let kind = VALUE_NONE;
  let flags = 0;
  let fixed = 0;
  if (typeof event.value === 'boolean') kind = event.value ? VALUE_TRUE : VALUE_FALSE;
  else if (typeof event.value === 'number') {
    if (!Number.isFinite(event.value)) throw new BatchError('BATCH_VALUE', `alert ${event.rule} value ${event.value} is not finite`);
    kind = VALUE_NUMBER;
    const decimals = alertDecimals(table, rule);
    if (decimals === undefined) flags |= FLAG_MILLI;
    fixed = Math.round(event.value * 10 ** (decimals ?? 3));
    if (fixed > INT32_MAX || fixed < INT32_MIN) {
      fixed = fixed > 0 ? INT32_MAX : INT32_MIN;
      flags |= FLAG_CLIPPED;
    }
  }
  const out = new Uint8Array(kind === VALUE_NUMBER ? 11 : 7);
  out[0] = headerByte('alert');
  out[1] = rule.index;
  out[2] = (event.level === 'critical' ? 0x80 : 0) | (STATES.indexOf(event.state) << 5) | (kind << 3) | flags;
  writeUint(out, 3, unixSeconds(event.t, `alert ${event.rule}`), 4);
  if (kind === VALUE_NUMBER) writeUint(out, 7, fixed >= 0 ? fixed : fixed + 2 ** 32, 4);
  return out;
}

/** Decimals of the rule's point channel; undefined when the point is not a number channel. */
function alertDecimals(table: ChannelTable, rule: RuleRef): number | undefined {
  const channel = rule.point === undefined ? undefined : findChannel(table, rule.device, rule.point);
  return channel?.kind === 'number' ? channel.decimals : undefined;
}

export function decodeAlert(bytes: Uint8Array, table: ChannelTable): DecodedAlert {
  expectLength(bytes, [7, 11], 'alert');
  const flags = bytes[2];
  const state = STATES[(flags >> 5) & 3];
  const kind = (flags >> 3) & 3;
  if (state === undefined || (flags & 1) !== 0) throw new BatchError('BATCH_MALFORMED', `alert flags 0x${flags.toString(16)} use reserved values`, { where: 'byte 2' });
  expectLength(bytes, [kind === VALUE_NUMBER ? 11 : 7], 'alert');
  const rule = table.rules[bytes[1]];
  if (rule === undefined) {
    throw new BatchError('BATCH_UNKNOWN_RULE', `alert for rule index ${bytes[1]}; the table knows ${table.rules.length} rules`, {
      where: 'byte 1',
      fix: 'the gateway’s channel table is newer than this decoder’s: regenerate the codec from it',
    });
  }
  const alert: DecodedAlert = { rule: rule.id, device: rule.device, level: flags & 0x80 ? 'critical' : 'warning', state, t: readUint(bytes, 3, 4) * 1000 };
  if (rule.point !== undefined) alert.point = rule.point;
  if (kind === VALUE_FALSE || kind === VALUE_TRUE) alert.value = kind === VALUE_TRUE;
  if (kind === VALUE_NUMBER) {
    const raw = readUint(bytes, 7, 4);
    const fixed = raw >= 2 ** 31 ? raw - 2 ** 32 : raw;
    const decimals = flags & FLAG_MILLI ? 3 : alertDecimals(table, rule) ?? 3;
    alert.value = fromFixed({ kind: 'number', decimals }, fixed);
    if (flags & FLAG_CLIPPED) alert.clipped = true;
  }
  return alert;
}

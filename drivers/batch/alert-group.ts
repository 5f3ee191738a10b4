/**
 * Alert group (type 5, docs/batch-format.md §6.1): several waiting alerts in
 * one message, so a burst costs one confirmed uplink and one network ACK
 * instead of one each. A single alert is never grouped: it goes out as the
 * type-2 message it was stored as, byte for byte, so decoders that predate
 * groups keep working for every lone alert.
 *
 *   byte 0      0x15
 *   bytes 1–4   base time, unix seconds (the earliest entry's time)
 *   entries, to the end of the message, each:
 *     byte 0    rule index
 *     byte 1    flags as in the alert message; bit 0 (reserved there) = the value is int16
 *     bytes 2–3 seconds after the base time, uint16
 *     value     only when the flags say number: int32, or int16 when bit 0 is set
 *
 * An entry is 4 bytes, 6 with a value that fits 16 bits (most do: a level of
 * 123.4 cm at 0.1 is 1234), 8 with a larger one; a group of k alerts costs
 * 5 + 4k … 5 + 8k bytes against 7k … 11k as single messages, and one frame
 * header and one ACK instead of k.
 *
 * The group is a pure byte transformation of stored type-2 messages: the
 * store keeps single alerts (what the gateway wrote when the rule fired), and
 * the sender packs the oldest of them into a group when it sends; a decoder
 * expands a group back into the type-2 messages and decodes each as before.
 * No channel table is needed for either step.
 */
import { BatchError } from './errors.js';
import { readUint, writeUint } from './fixed-bytes.js';
import { headerByte } from './format.js';

export const ALERT_GROUP_HEADER_BYTES = 5;
/** Offsets from the base time are 16-bit seconds: alerts more than 18 hours apart go in separate frames. */
export const ALERT_GROUP_MAX_SPAN_S = 0xffff;
const VALUE_NUMBER = 3;
const FLAG_SHORT = 1;

function isNumber(flags: number): boolean {
  return ((flags >> 3) & 3) === VALUE_NUMBER;
}

function signed32(bytes: Uint8Array, offset: number): number {
  const raw = readUint(bytes, offset, 4);
  return raw >= 2 ** 31 ? raw - 2 ** 32 : raw;
}

function checkSingle(alert: Uint8Array): void {
  if (alert[0] !== headerByte('alert') || alert.length !== (isNumber(alert[2] ?? 0) ? 11 : 7)) {
    throw new BatchError('BATCH_TYPE', `an alert group packs type-2 alert messages of 7 or 11 bytes; got ${alert.length} bytes starting 0x${(alert[0] ?? 0).toString(16)}`, {
      fix: 'pack the payloads encodeAlert() returned',
    });
  }
}

/** Bytes one stored type-2 alert takes as a group entry. */
export function alertEntryBytes(alert: Uint8Array): number {
  checkSingle(alert);
  if (!isNumber(alert[2])) return 4;
  const value = signed32(alert, 7);
  return value >= -0x8000 && value <= 0x7fff ? 6 : 8;
}

/** Unix seconds of a stored type-2 alert. */
export function alertTimeS(alert: Uint8Array): number {
  return readUint(alert, 3, 4);
}

/** Critical before warning; otherwise the order given (oldest first). */
function severityOrder(alerts: readonly Uint8Array[]): Uint8Array[] {
  return [...alerts.filter((a) => (a[2] & 0x80) !== 0), ...alerts.filter((a) => (a[2] & 0x80) === 0)];
}

/** One type-5 message carrying these type-2 alerts (at least two), critical ones first. */
export function encodeAlertGroup(alerts: readonly Uint8Array[]): Uint8Array {
  if (alerts.length < 2) throw new BatchError('BATCH_VALUE', `an alert group carries at least 2 alerts, not ${alerts.length}`, { fix: 'send a lone alert as its own type-2 message' });
  const times = alerts.map(alertTimeS);
  const base = Math.min(...times);
  if (Math.max(...times) - base > ALERT_GROUP_MAX_SPAN_S) {
    throw new BatchError('BATCH_TIME', `alerts ${Math.max(...times) - base} s apart do not fit one group (at most ${ALERT_GROUP_MAX_SPAN_S} s)`, { fix: 'pack with packAlerts(), which splits them' });
  }
  const out = new Uint8Array(ALERT_GROUP_HEADER_BYTES + alerts.reduce((n, a) => n + alertEntryBytes(a), 0));
  out[0] = headerByte('alerts');
  writeUint(out, 1, base, 4);
  let at = ALERT_GROUP_HEADER_BYTES;
  for (const alert of severityOrder(alerts)) {
    const size = alertEntryBytes(alert);
    out[at] = alert[1];
    out[at + 1] = alert[2] | (size === 6 ? FLAG_SHORT : 0);
    writeUint(out, at + 2, alertTimeS(alert) - base, 2);
    if (size === 6) {
      const value = signed32(alert, 7);
      writeUint(out, at + 4, value >= 0 ? value : value + 0x10000, 2);
    } else if (size === 8) out.set(alert.subarray(7, 11), at + 4);
    at += size;
  }
  return out;
}

/** The type-2 messages a group carries, in its order; each decodes with decodeAlert. */
export function expandAlertGroup(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length < ALERT_GROUP_HEADER_BYTES + 4) {
    throw new BatchError('BATCH_LENGTH', `alert group of ${bytes.length} bytes; expected at least ${ALERT_GROUP_HEADER_BYTES + 4}`, { fix: 'the payload was truncated' });
  }
  const base = readUint(bytes, 1, 4);
  const out: Uint8Array[] = [];
  let at = ALERT_GROUP_HEADER_BYTES;
  while (at < bytes.length) {
    const flags = bytes[at + 1] ?? 0;
    const short = (flags & FLAG_SHORT) !== 0;
    if (short && !isNumber(flags)) throw new BatchError('BATCH_MALFORMED', `alert group entry ${out.length + 1} flags 0x${flags.toString(16)}: a 16-bit value without a number`, { where: `byte ${at + 1}` });
    const size = isNumber(flags) ? (short ? 6 : 8) : 4;
    if (at + size > bytes.length) {
      throw new BatchError('BATCH_LENGTH', `alert group entry ${out.length + 1} needs ${size} bytes at byte ${at}; the message ends at ${bytes.length}`, { where: `byte ${at}`, fix: 'the payload was truncated' });
    }
    const single = new Uint8Array(isNumber(flags) ? 11 : 7);
    single[0] = headerByte('alert');
    single[1] = bytes[at];
    single[2] = flags & ~FLAG_SHORT;
    writeUint(single, 3, base + readUint(bytes, at + 2, 2), 4);
    if (short) {
      const raw = readUint(bytes, at + 4, 2);
      const value = raw >= 0x8000 ? raw - 0x10000 : raw;
      writeUint(single, 7, value >= 0 ? value : value + 2 ** 32, 4);
    } else if (size === 8) single.set(bytes.subarray(at + 4, at + 8), 7);
    out.push(single);
    at += size;
  }
  return out;
}

export interface PackedAlerts {
  /** What goes on the air: the first alert's own bytes when it is alone, else a group. */
  payload: Uint8Array;
  /** How many of the given alerts (from the first) it carries. */
  count: number;
}

/**
 * The oldest alerts that fit `maxBytes` together, as one message. Always a
 * prefix of `alerts` (oldest first), so one cumulative acknowledgement of the
 * last releases them all from the log; inside the group critical ones come
 * first. A lone alert (or one whose neighbour does not fit) is sent as is.
 */
export function packAlerts(alerts: readonly Uint8Array[], maxBytes: number): PackedAlerts {
  if (alerts.length === 0) throw new BatchError('BATCH_VALUE', 'no alerts to pack');
  let size = ALERT_GROUP_HEADER_BYTES;
  let count = 0;
  let earliest = Infinity;
  let latest = -Infinity;
  for (const alert of alerts) {
    const t = alertTimeS(alert);
    const lo = Math.min(earliest, t);
    const hi = Math.max(latest, t);
    if (size + alertEntryBytes(alert) > maxBytes || hi - lo > ALERT_GROUP_MAX_SPAN_S) break;
    size += alertEntryBytes(alert);
    earliest = lo;
    latest = hi;
    count++;
  }
  if (count < 2) return { payload: alerts[0], count: 1 };
  return { payload: encodeAlertGroup(alerts.slice(0, count)), count };
}

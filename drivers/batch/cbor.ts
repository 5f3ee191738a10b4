/**
 * CBOR form of the three messages, for IP uplinks (MQTT, NB-IoT UDP/CoAP)
 * where bytes are cheap and a generic decoder on the platform side is worth
 * more than the last bit. Same content as the binary frames: batch values stay
 * fixed-point integers (exact, and 1–5 bytes each in CBOR instead of 9 for a
 * float64); alert values travel as they are. Maps have short text keys:
 *
 *   batch  {"v":1,"m":"batch","t0":unixS,"step":s,"ch":[[channel,[k…],[int…]],…]}
 *          reading time = (t0 + k × step) s; the encoder writes each channel's k
 *          strictly increasing (a reading's time is its identity); messages of
 *          earlier encoders may repeat a k and still decode
 *   alert  {"v":1,"m":"alert","r":ruleIndex,"lvl":"warning"|"critical","st":state,"t":unixS,"x"?:value}
 *   status {"v":1,"m":"status","t":unixS,"dropped":n,"queued":n,
 *           "refused"?:{"n":count,"dl":type byte,"why":reason,"ix"?:index}}
 */
import { decodeCbor, encodeCbor, type CborValue } from './cbor-codec.js';
import type { AlertEvent, Sample } from '../gateway/events.js';
import type { AlertLevel } from '../rules/config.js';
import type { DecodedAlert } from './alert.js';
import { findChannel, toFixed, type ChannelTable } from './channels.js';
import { readingsOf, type DecodedMessage, type DecodeOptions } from './decode.js';
import { BatchError } from './errors.js';
import { unixSeconds } from './fixed-bytes.js';
import { FORMAT_VERSION, LIMITS, TIME_STEPS_S, type TimeStepS } from './format.js';
import type { FrameBlock, FrameContent } from './batch-frame.js';
import { stampRuns } from './stamps.js';
import { REFUSAL_REASONS, type DecodedStatus, type RefusalReason, type StatusReport } from './status.js';

type CborChannel = [number, number[], number[]];

// Plain CBOR maps with text keys, readable by any CBOR decoder (cbor-codec.ts).
const encode = (value: CborValue): Uint8Array => encodeCbor(value);
const decode = (bytes: Uint8Array): unknown => decodeCbor(bytes);

/**
 * All `samples` in one CBOR batch message, stamped as BatchEncoder stamps a
 * flush (stamps.ts): at `timeStepS` (default 10 s), or at a finer step when a
 * channel has two samples within one step, so no two share a stamp.
 */
export function encodeCborBatch(samples: readonly Sample[], table: ChannelTable, options: { timeStepS?: TimeStepS } = {}): Uint8Array {
  const configured = options.timeStepS ?? 10;
  if (!TIME_STEPS_S.includes(configured)) throw new BatchError('BATCH_STEP', `time step ${String(configured)} s is not one the format can express`, { fix: `use one of ${TIME_STEPS_S.join(', ')} s` });
  if (samples.length === 0) throw new BatchError('BATCH_EMPTY', 'a CBOR batch needs at least one sample');
  const byChannel = new Map<number, Array<{ t: number; fixed: number }>>();
  for (const sample of samples) {
    const channel = findChannel(table, sample.device, sample.point);
    if (channel === undefined) throw new BatchError('BATCH_UNKNOWN_CHANNEL', `no channel for ${sample.device}.${sample.point}`, { fix: 'rebuild the channel table from the current site' });
    unixSeconds(sample.t, `${sample.device}.${sample.point}`);
    const list = byChannel.get(channel.index) ?? [];
    list.push({ t: sample.t, fixed: toFixed(channel, sample.value) });
    byChannel.set(channel.index, list);
  }
  const channels = [...byChannel.entries()].sort((a, b) => a[0] - b[0]);
  for (const [, list] of channels) list.sort((a, b) => a.t - b.t);
  const { stepS, stamps } = stampRuns(configured, channels.map(([, list]) => ({ readings: list })));
  const steps = stamps.map((run) => run.map((stamp) => stamp / stepS));
  let first = Infinity;
  for (const list of steps) first = Math.min(first, list[0]);
  const ch: CborChannel[] = channels.map(([index, list], i) => [index, steps[i].map((step) => step - first), list.map((e) => e.fixed)]);
  return encode({ v: FORMAT_VERSION, m: 'batch', t0: first * stepS, step: stepS, ch });
}

export function encodeCborAlert(event: AlertEvent, table: ChannelTable): Uint8Array {
  const rule = table.rules.find((r) => r.id === event.rule && r.retired !== true);
  if (rule === undefined) throw new BatchError('BATCH_UNKNOWN_RULE', `rule "${event.rule}" is not in the channel table`, { fix: 'rebuild the channel table from the current site' });
  const message: { [key: string]: CborValue } = { v: FORMAT_VERSION, m: 'alert', r: rule.index, lvl: event.level, st: event.state, t: unixSeconds(event.t, `alert ${event.rule}`) };
  if (event.value !== undefined) message.x = event.value;
  return encode(message);
}

export function encodeCborStatus(status: StatusReport): Uint8Array {
  const message: Record<string, CborValue> = { v: FORMAT_VERSION, m: 'status', t: unixSeconds(status.t, 'status'), dropped: status.dropped, queued: status.queued ?? 0 };
  const refusal = status.refused;
  if (refusal !== undefined) {
    const refused: Record<string, CborValue> = { n: refusal.count, dl: refusal.downlink, why: refusal.reason };
    if (refusal.index !== undefined) refused.ix = refusal.index;
    message.refused = refused;
  }
  return encode(message);
}

function statusOf(m: Record<string, unknown>): DecodedStatus {
  const status: DecodedStatus = { t: seconds(m.t, 't') * 1000, dropped: count(m.dropped, 'dropped'), queued: count(m.queued, 'queued') };
  if (m.refused === undefined) return status;
  const r = asRecord(m.refused, '"refused"');
  if (!REFUSAL_REASONS.includes(r.why as RefusalReason)) throw cborShape(`"refused.why" is ${JSON.stringify(r.why)}`);
  status.refused = { count: count(r.n, 'refused.n'), downlink: count(r.dl, 'refused.dl'), reason: r.why as RefusalReason };
  if (r.ix !== undefined) status.refused.index = count(r.ix, 'refused.ix');
  return status;
}

export function decodeCborMessage(bytes: Uint8Array, table: ChannelTable, options: DecodeOptions = {}): DecodedMessage {
  let message: unknown;
  try {
    message = (options.cbor ?? decode)(bytes);
  } catch (cause) {
    throw new BatchError('BATCH_CBOR', `not valid CBOR: ${(cause as Error)?.message ?? String(cause)}`, { cause, fix: 'the payload is corrupted or not an Axon CBOR message' });
  }
  const m = asRecord(message, 'message');
  if (m.v !== FORMAT_VERSION) throw cborShape(`format version ${String(m.v)}; this decoder reads ${FORMAT_VERSION}`);
  if (m.m === 'batch') return { type: 'batch', readings: readingsOf(batchContent(m), table, options) };
  if (m.m === 'alert') return { type: 'alert', alert: alertOf(m, table) };
  if (m.m === 'status') return { type: 'status', status: statusOf(m) };
  throw cborShape(`unknown message kind ${JSON.stringify(m.m)}`);
}

function batchContent(m: Record<string, unknown>): FrameContent {
  const stepS = m.step as TimeStepS;
  if (!TIME_STEPS_S.includes(stepS)) throw cborShape(`time step ${String(m.step)}`);
  const baseS = seconds(m.t0, 't0');
  if (!Array.isArray(m.ch)) throw cborShape('"ch" is not an array');
  // Re-express as a frame (shared timeline) so both forms decode through readingsOf.
  const steps = new Set<number>();
  const channels = m.ch.map((entry: unknown, i) => {
    if (!Array.isArray(entry) || entry.length !== 3) throw cborShape(`ch[${i}] is not [channel, times, values]`);
    const [channel, ks, values] = entry as unknown[];
    if (!Number.isInteger(channel) || (channel as number) < 0 || (channel as number) >= LIMITS.channels) throw cborShape(`ch[${i}] channel ${String(channel)}`);
    const kList = intList(ks, `ch[${i}] times`, 0, LIMITS.spanSteps);
    const vList = intList(values, `ch[${i}] values`, -LIMITS.magnitude, LIMITS.magnitude);
    if (kList.length !== vList.length || kList.length === 0) throw cborShape(`ch[${i}] has ${kList.length} times and ${vList.length} values`);
    for (const k of kList) steps.add(k);
    return { channel: channel as number, kList, vList };
  });
  const times = [...steps].sort((a, b) => a - b);
  const position = new Map<number, number>();
  times.forEach((k, i) => position.set(k, i));
  const blocks: FrameBlock[] = channels.map((c) => ({ channel: c.channel, at: c.kList.map((k) => position.get(k) as number), values: c.vList }));
  return { baseS, stepS, times, blocks };
}

function alertOf(m: Record<string, unknown>, table: ChannelTable): DecodedAlert {
  const rule = typeof m.r === 'number' ? table.rules[m.r] : undefined;
  if (rule === undefined) throw new BatchError('BATCH_UNKNOWN_RULE', `alert for rule index ${String(m.r)}; the table knows ${table.rules.length} rules`, { fix: 'decode with the gateway’s current channel table' });
  if (m.lvl !== 'warning' && m.lvl !== 'critical') throw cborShape(`alert level ${String(m.lvl)}`);
  if (m.st !== 'raised' && m.st !== 'cleared' && m.st !== 'acknowledged') throw cborShape(`alert state ${String(m.st)}`);
  const alert: DecodedAlert = { rule: rule.id, device: rule.device, level: m.lvl as AlertLevel, state: m.st, t: seconds(m.t, 't') * 1000 };
  if (rule.point !== undefined) alert.point = rule.point;
  if (m.x !== undefined) {
    if (typeof m.x !== 'boolean' && (typeof m.x !== 'number' || !Number.isFinite(m.x))) throw cborShape(`alert value ${String(m.x)}`);
    alert.value = m.x;
  }
  return alert;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) throw cborShape(`${what} is not a map`);
  return value as Record<string, unknown>;
}

function seconds(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= LIMITS.unixSeconds) throw cborShape(`"${name}" is not unix seconds`);
  return value as number;
}

function count(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) throw cborShape(`"${name}" is not a count`);
  return value as number;
}

function intList(value: unknown, what: string, min: number, max: number): number[] {
  if (!Array.isArray(value)) throw cborShape(`${what} is not an array`);
  for (const v of value) if (!Number.isInteger(v) || v < min || v > max) throw cborShape(`${what} holds ${String(v)}`);
  return value as number[];
}

function cborShape(message: string): BatchError {
  return new BatchError('BATCH_CBOR', `CBOR message: ${message}`, { fix: 'the payload is not an Axon CBOR message of this format version' });
}

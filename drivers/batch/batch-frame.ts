/**
 * Batch frame (message type 1): one self-contained columnar block of readings.
 *
 *   header byte 0x11
 *   base time       32 bits   unix seconds, a multiple of the step
 *   step code        3 bits   index into TIME_STEPS_S
 *   T − 1           EG0       number of time points
 *   timeline       series     T − 1 gaps (in steps) minus one, when T ≥ 2
 *   B − 1           EG0       number of channel blocks
 *   B blocks, channels ascending:
 *     channel gap    EG0       channel − previous channel − 1 (first: the channel)
 *     presence       "0" every time point | "10" bitmap of T bits | "11" index list
 *     value mode     1 bit    0 raw series of the values, 1 first value + series of deltas
 *   zero padding to the byte boundary
 *
 * Columns (one channel's run of values) compress far better than rows: a
 * counter's deltas are nearly constant, a status bit never changes, and a
 * frame-of-reference series then costs 0–3 bits per reading. The writer
 * prices every alternative (the *Bits functions below, exact bit counts) and
 * writes the cheapest.
 */
import { BitReader, BitWriter, eg0Bits, readEg0, readSeries, readSigned, seriesBits, signedBits, writeEg0, writeSeries, writeSigned, type BitSink } from './bits.js';
import { malformed } from './errors.js';
import { LIMITS, STEP_CODE_BITS, TIME_STEPS_S, headerByte, type TimeStepS } from './format.js';

export interface FrameBlock {
  channel: number;
  /** Ascending indices into FrameContent.times where this channel has a reading. */
  at: number[];
  /** Fixed-point values, one per entry of `at`. */
  values: number[];
}

export interface FrameContent {
  /** Unix seconds of time point 0. */
  baseS: number;
  stepS: TimeStepS;
  /** Offsets of the time points from baseS, in steps: ascending, times[0] = 0. */
  times: number[];
  /** Blocks in ascending channel order. */
  blocks: FrameBlock[];
}

/** Presence is a prefix code: "0" every time point (the common case), "10" bitmap, "11" index list. */
const PRESENCE_ALL = { code: 0, bits: 1 };
const PRESENCE_BITMAP = { code: 2, bits: 2 };
const PRESENCE_LIST = { code: 3, bits: 2 };
/** Smallest possible block (gap, presence, mode, a zero), to reject absurd block counts before reading them. */
const MIN_BLOCK_BITS = 4;

export function encodeBatchFrame(content: FrameContent): Uint8Array {
  const writer = new BitWriter();
  writeFrame(writer, content);
  return writer.finish();
}

/** Size in bytes encodeBatchFrame would return. */
export function batchFrameSize(content: FrameContent): number {
  const { times, blocks } = content;
  const timeGaps = gapRange(times);
  let bits = FRAME_HEADER_BITS + timelineBits(times.length, timeGaps.min, timeGaps.max) + eg0Bits(blocks.length - 1);
  let previous = -1;
  for (const block of blocks) {
    const atGaps = gapRange(block.at);
    bits += eg0Bits(block.channel - previous - 1) + presenceBits(times.length, block.at.length, block.at[0], atGaps.min, atGaps.max) + valuesBits(block.values);
    previous = block.channel;
  }
  return Math.ceil(bits / 8);
}

/*
 * Exact sizes of a frame's fields, from a few statistics of each column
 * rather than the column itself, so the encoder can price a candidate frame
 * without building it (BatchEncoder prices dozens per flush). writeFrame makes
 * its choices with the same functions; batch.property.core.test.ts checks
 * batchFrameSize against the bytes written.
 */

/** Header byte, base time, step code. */
export const FRAME_HEADER_BITS = 8 + 32 + STEP_CODE_BITS;

/** Smallest and largest a[i] − a[i−1] − 1 of an ascending array (the gaps its series carries). */
export function gapRange(a: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 1; i < a.length; i++) {
    const gap = a[i] - a[i - 1] - 1;
    if (gap < min) min = gap;
    if (gap > max) max = gap;
  }
  return { min, max };
}

/** Bits of the timeline: T − 1, then (T ≥ 2) the series of gaps minus one, which lie in minGap…maxGap. */
export function timelineBits(timePoints: number, minGap: number, maxGap: number): number {
  return eg0Bits(timePoints - 1) + (timePoints >= 2 ? seriesBits(minGap, maxGap, timePoints - 1) : 0);
}

/**
 * Bits of a block's presence field: the block has readings at `count` of the
 * frame's `timePoints` time points, the first at index `first`, the gaps
 * between consecutive indices (minus one) in minGap…maxGap.
 */
export function presenceBits(timePoints: number, count: number, first: number, minGap: number, maxGap: number): number {
  if (count === timePoints) return PRESENCE_ALL.bits;
  // Bitmap and list have equally long prefixes; writePresence takes the bitmap on a tie.
  return PRESENCE_LIST.bits + Math.min(timePoints, presenceListBits(count, first, minGap, maxGap));
}

function presenceListBits(count: number, first: number, minGap: number, maxGap: number): number {
  return eg0Bits(count - 1) + eg0Bits(first) + (count >= 2 ? seriesBits(minGap, maxGap, count - 1) : 0);
}

/** Bits of the delta mode's column: the first value, then (count ≥ 2) the series of differences, which lie in minDelta…maxDelta. */
function deltaColumnBits(count: number, first: number, minDelta: number, maxDelta: number): number {
  return signedBits(first) + (count >= 2 ? seriesBits(minDelta, maxDelta, count - 1) : 0);
}

/**
 * Bits of a block's value column (mode bit included) for `count` values: the
 * first, the extremes, and the extremes of consecutive differences.
 */
export function valueColumnBits(count: number, first: number, min: number, max: number, minDelta: number, maxDelta: number): number {
  return 1 + Math.min(seriesBits(min, max, count), deltaColumnBits(count, first, minDelta, maxDelta));
}

function valuesBits(values: readonly number[]): number {
  const s = valueStats(values);
  return valueColumnBits(values.length, values[0], s.min, s.max, s.minDelta, s.maxDelta);
}

function valueStats(values: readonly number[]): { min: number; max: number; minDelta: number; maxDelta: number } {
  let min = values[0];
  let max = values[0];
  let minDelta = Infinity;
  let maxDelta = -Infinity;
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    const d = v - values[i - 1];
    if (d < minDelta) minDelta = d;
    if (d > maxDelta) maxDelta = d;
  }
  return { min, max, minDelta, maxDelta };
}

function writeFrame(sink: BitSink, content: FrameContent): void {
  sink.write(headerByte('batch'), 8);
  sink.write(content.baseS, 32);
  sink.write(TIME_STEPS_S.indexOf(content.stepS), STEP_CODE_BITS);
  const { times, blocks } = content;
  writeEg0(sink, times.length - 1);
  if (times.length >= 2) writeSeries(sink, differences(times, 1));
  writeEg0(sink, blocks.length - 1);
  let previous = -1;
  for (const block of blocks) {
    writeEg0(sink, block.channel - previous - 1);
    previous = block.channel;
    writePresence(sink, block.at, times.length);
    writeValues(sink, block.values);
  }
}

/** a[i] − a[i−1] − bias for i ≥ 1. */
function differences(values: readonly number[], bias: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) out.push(values[i] - values[i - 1] - bias);
  return out;
}

function writePresence(sink: BitSink, at: readonly number[], timePoints: number): void {
  if (at.length === timePoints) {
    sink.write(PRESENCE_ALL.code, PRESENCE_ALL.bits);
    return;
  }
  const gaps = gapRange(at);
  if (timePoints <= presenceListBits(at.length, at[0], gaps.min, gaps.max)) {
    sink.write(PRESENCE_BITMAP.code, PRESENCE_BITMAP.bits);
    let next = 0;
    for (let i = 0; i < timePoints; i++) {
      const present = at[next] === i;
      if (present) next++;
      sink.write(present ? 1 : 0, 1);
    }
  } else {
    sink.write(PRESENCE_LIST.code, PRESENCE_LIST.bits);
    writePresenceList(sink, at);
  }
}

function writePresenceList(sink: BitSink, at: readonly number[]): void {
  writeEg0(sink, at.length - 1);
  writeEg0(sink, at[0]);
  if (at.length >= 2) writeSeries(sink, differences(at, 1));
}

function writeValues(sink: BitSink, values: readonly number[]): void {
  const s = valueStats(values);
  const useDelta = deltaColumnBits(values.length, values[0], s.minDelta, s.maxDelta) < seriesBits(s.min, s.max, values.length);
  sink.write(useDelta ? 1 : 0, 1);
  if (useDelta) {
    writeSigned(sink, values[0]);
    if (values.length >= 2) writeSeries(sink, differences(values, 0));
  } else {
    writeSeries(sink, values);
  }
}

/** Parses a batch frame (header already known to be type 1). Throws BatchError on anything malformed. */
export function decodeBatchFrame(bytes: Uint8Array): FrameContent {
  const reader = new BitReader(bytes, 1);
  const baseS = reader.read(32);
  const stepS = TIME_STEPS_S[reader.read(STEP_CODE_BITS)];
  const countAt = reader.position;
  const timePoints = readEg0(reader) + 1;
  if (timePoints > LIMITS.timePoints) throw malformed(`${timePoints} time points (at most ${LIMITS.timePoints})`, countAt);
  const times = [0];
  if (timePoints >= 2) {
    const gapsAt = reader.position;
    for (const gap of readSeries(reader, timePoints - 1)) {
      if (gap < 0) throw malformed('time points out of order', gapsAt);
      times.push(times[times.length - 1] + gap + 1);
    }
    if (times[times.length - 1] > LIMITS.spanSteps) throw malformed(`frame spans ${times[times.length - 1]} steps (at most ${LIMITS.spanSteps})`, gapsAt);
  }
  const blocksAt = reader.position;
  const blockCount = readEg0(reader) + 1;
  if (blockCount * MIN_BLOCK_BITS > reader.remaining) throw malformed(`${blockCount} channel blocks cannot fit in the ${reader.remaining} bits left`, blocksAt);
  const blocks: FrameBlock[] = [];
  let channel = -1;
  for (let b = 0; b < blockCount; b++) {
    const channelAt = reader.position;
    channel += readEg0(reader) + 1;
    if (channel >= LIMITS.channels) throw malformed(`channel ${channel} (channels are below ${LIMITS.channels})`, channelAt);
    const at = readPresence(reader, timePoints);
    blocks.push({ channel, at, values: readValues(reader, at.length) });
  }
  if (reader.remaining >= 8 || reader.read(reader.remaining) !== 0) throw malformed(`unexpected data after the last channel block`, reader.position);
  return { baseS, stepS, times, blocks };
}

function readPresence(reader: BitReader, timePoints: number): number[] {
  const start = reader.position;
  const at: number[] = [];
  if (reader.read(1) === 0) {
    for (let i = 0; i < timePoints; i++) at.push(i);
  } else if (reader.read(1) === 0) {
    for (let i = 0; i < timePoints; i++) if (reader.read(1) === 1) at.push(i);
    if (at.length === 0) throw malformed('channel block present at no time point', start);
  } else {
    const count = readEg0(reader) + 1;
    at.push(readEg0(reader));
    if (count > timePoints) throw malformed(`channel block lists ${count} of ${timePoints} time points`, start);
    if (count >= 2) {
      for (const gap of readSeries(reader, count - 1)) {
        if (gap < 0) throw malformed('presence list out of order', start);
        at.push(at[at.length - 1] + gap + 1);
      }
    }
    if (at[at.length - 1] >= timePoints) throw malformed(`presence list names time point ${at[at.length - 1]} of ${timePoints}`, start);
  }
  return at;
}

function readValues(reader: BitReader, count: number): number[] {
  const start = reader.position;
  const values = reader.read(1) === 1 ? readDeltas(reader, count) : readSeries(reader, count);
  for (const v of values) if (Math.abs(v) > LIMITS.magnitude) throw malformed(`value ${v} beyond the format’s ±2^46`, start);
  return values;
}

function readDeltas(reader: BitReader, count: number): number[] {
  const values = [readSigned(reader)];
  if (count >= 2) {
    for (const d of readSeries(reader, count - 1)) {
      const next = values[values.length - 1] + d;
      if (Math.abs(next) > LIMITS.magnitude) throw malformed(`value ${next} beyond the format’s ±2^46`, reader.position);
      values.push(next);
    }
  }
  return values;
}

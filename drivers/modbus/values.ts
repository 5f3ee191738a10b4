/**
 * Modbus value decoding and encoding: registers (16-bit words as they came off
 * the wire) ⇄ raw numbers ⇄ engineering values.
 *
 * The same functions serve the gateway (decoding replies), the device
 * simulators (encoding what a device would answer) and writes, so a map in a
 * manifest means exactly one thing on both sides of the wire.
 *
 * Byte orders are described by two independent facts, which is how field
 * devices actually differ: whether words arrive most-significant first, and
 * whether the two bytes inside each word are swapped.
 *   ABCD / AB  big-endian words, big-endian bytes (the Modbus default)
 *   CDAB       words reversed, bytes big-endian ("word swap")
 *   BADC / BA  words big-endian, bytes swapped within each word ("byte swap")
 *   DCBA       fully little-endian
 * For float64 the same two facts apply to four words. A 16-bit order given to
 * a 32-bit type (or the reverse) is read through the same two facts, so AB on
 * a float32 means ABCD and CDAB on an int16 means AB.
 */
import type { ByteOrder, ModbusPoint, ValueType } from '../devices/manifest.js';

/** Value types stored in whole registers (everything except single bits). */
export type RegisterValueType = 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

/** Largest finite float32, for clamping values headed into a float32 register. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Registers a value of `type` occupies (a coil or discrete input counts as one). */
export function wordCount(type: ValueType): number {
  switch (type) {
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'float64':
      return 4;
    default:
      return 1;
  }
}

interface OrderFacts {
  wordsLittleEndian: boolean;
  bytesSwapped: boolean;
}

const BIG_ENDIAN: OrderFacts = { wordsLittleEndian: false, bytesSwapped: false };
const WORD_SWAPPED: OrderFacts = { wordsLittleEndian: true, bytesSwapped: false };
const BYTE_SWAPPED: OrderFacts = { wordsLittleEndian: false, bytesSwapped: true };
const LITTLE_ENDIAN: OrderFacts = { wordsLittleEndian: true, bytesSwapped: true };

function orderFacts(order: ByteOrder | undefined): OrderFacts {
  switch (order) {
    case 'CDAB':
      return WORD_SWAPPED;
    case 'BADC':
    case 'BA':
      return BYTE_SWAPPED;
    case 'DCBA':
      return LITTLE_ENDIAN;
    default:
      return BIG_ENDIAN;
  }
}

/**
 * Index in the big-endian value of the byte found at wire position `wireIndex`.
 * The mapping is its own inverse, so encoding uses it too.
 */
function valueByteIndex(wireIndex: number, words: number, facts: OrderFacts): number {
  const word = wireIndex >> 1;
  const byte = wireIndex & 1;
  const valueWord = facts.wordsLittleEndian ? words - 1 - word : word;
  const valueByte = facts.bytesSwapped ? 1 - byte : byte;
  return valueWord * 2 + valueByte;
}

function integerRange(type: ValueType, bitCount = 1): [number, number] {
  switch (type) {
    case 'bool':
      return [0, 1];
    case 'bits':
      return [0, 2 ** bitCount - 1];
    case 'int16':
      return [-0x8000, 0x7fff];
    case 'uint16':
      return [0, 0xffff];
    case 'int32':
      return [-0x80000000, 0x7fffffff];
    case 'uint32':
      return [0, 0xffffffff];
    default:
      return [-Infinity, Infinity];
  }
}

function isIntegerType(type: ValueType): boolean {
  return type !== 'float32' && type !== 'float64';
}

/**
 * Decode the value of `type` that starts at `words[offset]`, with the given
 * byte order (default AB for 16-bit, ABCD otherwise). Only the low 16 bits of
 * each word are used.
 */
/** Shared 8-byte scratch, created on first use: XS makes a DataView created while a module is preloaded read-only. */
let scratch: DataView | undefined;

export function decodeRaw(words: ArrayLike<number>, offset: number, type: RegisterValueType, order?: ByteOrder): number {
  const count = wordCount(type);
  if (!Number.isInteger(offset) || offset < 0 || offset + count > words.length) {
    throw new RangeError(`a ${type} needs ${count} register(s) from offset ${offset}, but only ${words.length} were given`);
  }
  const facts = orderFacts(order);
  if (count === 1) {
    // One register (int16/uint16, most points): plain arithmetic, no DataView round trip.
    const word = words[offset] & 0xffff;
    const value = facts.bytesSwapped ? ((word & 0xff) << 8) | (word >> 8) : word;
    return type === 'int16' && value >= 0x8000 ? value - 0x10000 : value;
  }
  const view = (scratch ??= new DataView(new ArrayBuffer(8))); // decoding is synchronous: one shared 8-byte buffer avoids an allocation per value
  for (let wire = 0; wire < count * 2; wire++) {
    const word = words[offset + (wire >> 1)] & 0xffff;
    const byte = (wire & 1) === 0 ? word >> 8 : word & 0xff;
    view.setUint8(valueByteIndex(wire, count, facts), byte);
  }
  switch (type) {
    case 'int16':
      return view.getInt16(0);
    case 'uint16':
      return view.getUint16(0);
    case 'int32':
      return view.getInt32(0);
    case 'uint32':
      return view.getUint32(0);
    case 'float32':
      return view.getFloat32(0);
    case 'float64':
      return view.getFloat64(0);
  }
}

/**
 * Encode `raw` as the registers a device would send, inverse of decodeRaw.
 * Integer types are rounded and clamped to their range (a simulator or a write
 * must never wrap 70000 into 4464); float32 is rounded to single precision.
 */
export function encodeRaw(raw: number, type: RegisterValueType, order?: ByteOrder): number[] {
  const count = wordCount(type);
  const view = new DataView(new ArrayBuffer(count * 2));
  if (isIntegerType(type)) {
    if (!Number.isFinite(raw)) throw new RangeError(`cannot encode ${raw} as ${type}: integer types need a finite number`);
    const [low, high] = integerRange(type);
    const value = Math.min(high, Math.max(low, Math.round(raw)));
    if (type === 'int16') view.setInt16(0, value);
    else if (type === 'uint16') view.setUint16(0, value);
    else if (type === 'int32') view.setInt32(0, value);
    else view.setUint32(0, value);
  } else if (type === 'float32') {
    view.setFloat32(0, raw);
  } else {
    view.setFloat64(0, raw);
  }
  const facts = orderFacts(order);
  const words: number[] = new Array<number>(count).fill(0);
  for (let wire = 0; wire < count * 2; wire++) {
    const byte = view.getUint8(valueByteIndex(wire, count, facts));
    words[wire >> 1] |= (wire & 1) === 0 ? byte << 8 : byte;
  }
  return words;
}

/** The unsigned field of `bitCount` bits starting at `bit` (0 = least significant) of a 16-bit word. */
export function extractBits(word: number, bit: number, bitCount: number): number {
  if (!Number.isInteger(bit) || !Number.isInteger(bitCount) || bit < 0 || bitCount < 1 || bit + bitCount > 16) {
    throw new RangeError(`bits ${bit}..${bit + bitCount - 1} do not fit in a 16-bit register`);
  }
  return ((word & 0xffff) >>> bit) & ((1 << bitCount) - 1);
}

/**
 * Remove binary noise from a scaled value: 235 × 0.1 is 23.500000000000004 in
 * doubles, and a field engineer should see 23.5. Fifteen significant digits
 * are always exact for a double, so nothing real is lost.
 */
function tidy(value: number): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(15)) : value;
}

/** value = raw / 10^decimals × scale + offset (manifest scale defaults to 1, offset to 0). */
export function toEngineering(raw: number, point: ModbusPoint, decimals = 0): number {
  const scale = point.scale ?? 1;
  const offset = point.offset ?? 0;
  if (scale === 1 && offset === 0 && decimals === 0) return raw;
  const divided = decimals === 0 ? raw : raw / 10 ** decimals;
  return tidy(divided * scale + offset);
}

/**
 * Inverse of toEngineering: the raw number to store for an engineering value.
 * Integer types (and bool/bits) are rounded and clamped to the type's range;
 * float32 is clamped to the largest finite float32.
 */
export function fromEngineering(value: number, point: ModbusPoint, decimals = 0): number {
  const scale = point.scale ?? 1;
  const offset = point.offset ?? 0;
  let raw = value;
  if (!(scale === 1 && offset === 0 && decimals === 0)) {
    raw = ((value - offset) / scale) * 10 ** decimals;
  }
  if (isIntegerType(point.type)) {
    if (Number.isNaN(raw)) throw new RangeError(`cannot store NaN in the ${point.type} point '${point.id}'`);
    const [low, high] = integerRange(point.type, point.bitCount ?? 1);
    return Math.min(high, Math.max(low, Math.round(raw)));
  }
  if (point.type === 'float32' && Number.isFinite(raw)) {
    return Math.min(FLOAT32_MAX, Math.max(-FLOAT32_MAX, raw));
  }
  return raw;
}

/**
 * Decode a point from the registers starting at `point.address`. For a bool on
 * coils/discrete inputs (FC01/02) the caller passes one word of 0 or 1.
 * bool yields a boolean; bits yield the unsigned field, scaled like numbers.
 */
export function decodePointValue(point: ModbusPoint, words: ArrayLike<number>, decimals = 0): number | boolean {
  if (words.length < wordCount(point.type)) {
    throw new RangeError(`point '${point.id}' (${point.type}) needs ${wordCount(point.type)} register(s), got ${words.length}`);
  }
  if (point.type === 'bool') {
    return point.bit === undefined ? (words[0] & 0xffff) !== 0 : extractBits(words[0], point.bit, 1) === 1;
  }
  if (point.type === 'bits') {
    return toEngineering(extractBits(words[0], point.bit ?? 0, point.bitCount ?? 1), point, decimals);
  }
  return toEngineering(decodeRaw(words, 0, point.type, point.order), point, decimals);
}

/**
 * Encode a point's engineering value as registers starting at `point.address`.
 * For bool and bits the result is one word with only that field set; writers
 * that share the register with other points merge it (read-modify-write).
 * For a bool on coils the word is 0 or 1.
 */
export function encodePointValue(point: ModbusPoint, value: number | boolean, decimals = 0): number[] {
  const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (point.type === 'bool') {
    const on = typeof value === 'boolean' ? value : value !== 0;
    if (point.bit === undefined) return [on ? 1 : 0];
    return [on ? (1 << point.bit) & 0xffff : 0];
  }
  if (point.type === 'bits') {
    const field = fromEngineering(numeric, point, decimals);
    return [(field << (point.bit ?? 0)) & 0xffff];
  }
  return encodeRaw(fromEngineering(numeric, point, decimals), point.type, point.order);
}

/** Mask of the bits a bool/bits point occupies in its register (0xffff for whole-register types). */
export function pointBitMask(point: ModbusPoint): number {
  if (point.type === 'bool') return point.bit === undefined ? 0xffff : (1 << point.bit) & 0xffff;
  if (point.type === 'bits') return (((1 << (point.bitCount ?? 1)) - 1) << (point.bit ?? 0)) & 0xffff;
  return 0xffff;
}

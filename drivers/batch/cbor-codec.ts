/**
 * A small CBOR (RFC 8949) codec for the IP-uplink message forms: integers,
 * floats, text and byte strings, arrays, maps with text keys, true/false/null.
 * Ours rather than a library because the core must run unchanged in XS and on
 * Moddable (no Buffer, no TextEncoder), and the npm CBOR packages either need
 * those or pull in native helpers. Tested against cbor-x on Node.
 *
 * Encoding is canonical enough for our use: shortest integer heads, float64
 * for non-integers (exact), definite lengths. Decoding also accepts float16/32,
 * indefinite lengths and tags (tags are skipped), and never recurses deeper
 * than MAX_DEPTH, so hostile input cannot exhaust the stack.
 */
import { BatchError } from './errors.js';

export type CborValue = number | string | boolean | null | undefined | Uint8Array | CborValue[] | { [key: string]: CborValue };

const MAX_DEPTH = 32;

export function encodeCbor(value: CborValue): Uint8Array {
  const out = new ByteWriter();
  writeValue(out, value, 0);
  return out.bytes();
}

export function decodeCbor(bytes: Uint8Array): CborValue {
  const reader = { bytes, offset: 0 };
  const value = readValue(reader, 0);
  if (reader.offset !== bytes.length) malformed(`${bytes.length - reader.offset} bytes left after the CBOR value`, reader.offset);
  return value;
}

class ByteWriter {
  #buffer = new Uint8Array(64);
  #length = 0;

  push(...values: number[]): void {
    this.#reserve(values.length);
    for (const v of values) this.#buffer[this.#length++] = v;
  }

  append(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + extra));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}

function writeHead(out: ByteWriter, major: number, n: number): void {
  const m = major << 5;
  if (n < 24) out.push(m | n);
  else if (n < 0x100) out.push(m | 24, n);
  else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff);
  else if (n < 0x100000000) out.push(m | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const high = Math.floor(n / 0x100000000);
    const low = n >>> 0;
    out.push(m | 27, (high >>> 24) & 0xff, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff, (low >>> 24) & 0xff, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff);
  }
}

function writeValue(out: ByteWriter, value: CborValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError(`CBOR value nested deeper than ${MAX_DEPTH}`);
  if (value === null) out.push(0xf6);
  else if (value === undefined) out.push(0xf7);
  else if (value === false) out.push(0xf4);
  else if (value === true) out.push(0xf5);
  else if (typeof value === 'number') writeNumber(out, value);
  else if (typeof value === 'string') {
    const utf8 = utf8Encode(value);
    writeHead(out, 3, utf8.length);
    out.append(utf8);
  } else if (value instanceof Uint8Array) {
    writeHead(out, 2, value.length);
    out.append(value);
  } else if (Array.isArray(value)) {
    writeHead(out, 4, value.length);
    for (const item of value) writeValue(out, item, depth + 1);
  } else {
    const keys = Object.keys(value);
    writeHead(out, 5, keys.length);
    for (const key of keys) {
      writeValue(out, key, depth + 1);
      writeValue(out, value[key], depth + 1);
    }
  }
}

function writeNumber(out: ByteWriter, value: number): void {
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
    if (value >= 0) writeHead(out, 0, value);
    else writeHead(out, 1, -1 - value);
    return;
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  out.push(0xfb);
  out.append(new Uint8Array(view.buffer));
}

interface Reader {
  bytes: Uint8Array;
  offset: number;
}

function malformed(detail: string, offset: number): never {
  throw new BatchError('BATCH_MALFORMED', `malformed CBOR: ${detail}`, { where: `byte ${offset}`, fix: 'the message was cut or corrupted in transit; it cannot be decoded' });
}

function take(reader: Reader, count: number): Uint8Array {
  if (reader.offset + count > reader.bytes.length) malformed(`needs ${count} more bytes, ${reader.bytes.length - reader.offset} left`, reader.offset);
  const slice = reader.bytes.subarray(reader.offset, reader.offset + count);
  reader.offset += count;
  return slice;
}

/** The argument of a head: `info` < 24 is the value; 24–27 read 1–8 bytes; 31 means indefinite (-1). */
function readArgument(reader: Reader, info: number): number {
  if (info < 24) return info;
  if (info === 31) return -1;
  if (info > 27) malformed(`reserved additional information ${info}`, reader.offset - 1);
  const bytes = take(reader, 1 << (info - 24));
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  if (n > Number.MAX_SAFE_INTEGER) malformed('integer beyond 2^53', reader.offset);
  return n;
}

const BREAK = Symbol('break');

function readValue(reader: Reader, depth: number): CborValue {
  const value = readItem(reader, depth);
  if (value === BREAK) malformed('unexpected break', reader.offset - 1);
  return value;
}

function readItem(reader: Reader, depth: number): CborValue | typeof BREAK {
  if (depth > MAX_DEPTH) malformed(`nested deeper than ${MAX_DEPTH}`, reader.offset);
  const initial = take(reader, 1)[0];
  const major = initial >> 5;
  const info = initial & 31;
  if (major === 7) return readSimple(reader, info);
  const n = readArgument(reader, info);
  if (n === -1 && (major === 0 || major === 1 || major === 6)) malformed(`indefinite length on major type ${major}`, reader.offset - 1);
  switch (major) {
    case 0:
      return n;
    case 1:
      return -1 - n;
    case 2:
      return n === -1 ? readChunks(reader, 2, depth) : new Uint8Array(take(reader, n));
    case 3:
      return n === -1 ? utf8Decode(readChunks(reader, 3, depth), reader.offset) : utf8Decode(take(reader, n), reader.offset);
    case 4: {
      const items: CborValue[] = [];
      for (let i = 0; n === -1 || i < n; i++) {
        const item = readItem(reader, depth + 1);
        if (item === BREAK) {
          if (n === -1) break;
          malformed('break inside a definite array', reader.offset - 1);
        }
        items.push(item);
      }
      return items;
    }
    case 5: {
      const map: { [key: string]: CborValue } = {};
      for (let i = 0; n === -1 || i < n; i++) {
        const key = readItem(reader, depth + 1);
        if (key === BREAK) {
          if (n === -1) break;
          malformed('break inside a definite map', reader.offset - 1);
        }
        if (typeof key !== 'string' && typeof key !== 'number') malformed('map key is neither text nor an integer', reader.offset);
        map[String(key)] = readValue(reader, depth + 1);
      }
      return map;
    }
    default:
      // Tag (major 6): the tagged value stands for itself here.
      return readValue(reader, depth + 1);
  }
}

function readChunks(reader: Reader, major: number, depth: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const head = take(reader, 1)[0];
    if (head === 0xff) break;
    if (head >> 5 !== major) malformed('chunk of another type inside an indefinite string', reader.offset - 1);
    const n = readArgument(reader, head & 31);
    if (n === -1) malformed('nested indefinite string', reader.offset - 1);
    const chunk = take(reader, n);
    chunks.push(chunk);
    total += chunk.length;
    if (depth > MAX_DEPTH) break;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function readSimple(reader: Reader, info: number): CborValue | typeof BREAK {
  switch (info) {
    case 20:
      return false;
    case 21:
      return true;
    case 22:
      return null;
    case 23:
      return undefined;
    case 25:
      return halfToNumber(take(reader, 2));
    case 26:
      return viewOf(take(reader, 4)).getFloat32(0);
    case 27:
      return viewOf(take(reader, 8)).getFloat64(0);
    case 31:
      return BREAK;
    default:
      if (info === 24) take(reader, 1);
      return undefined; // unassigned simple values carry no meaning for us
  }
}

/**
 * A DataView over exactly these bytes. Not `bytes.slice().buffer`: a Node
 * Buffer's slice() is a view into a shared pool, so .buffer would be the pool.
 */
function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function halfToNumber(bytes: Uint8Array): number {
  const half = (bytes[0] << 8) | bytes[1];
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (const char of text) {
    const c = char.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

function utf8Decode(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const extra = b < 0x80 ? 0 : b >= 0xf0 && b < 0xf8 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : -1;
    if (extra < 0 || i + extra >= bytes.length) malformed('invalid UTF-8 in a text string', offset);
    let c = extra === 0 ? b : b & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) malformed('invalid UTF-8 in a text string', offset);
      c = (c << 6) | (next & 63);
    }
    if (c > 0x10ffff) malformed('invalid UTF-8 in a text string', offset);
    text += String.fromCodePoint(c);
    i += extra + 1;
  }
  return text;
}

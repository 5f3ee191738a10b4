/**
 * A DL/T 645 meter on the far end of a ByteStream, for simulators and tests.
 * It answers read-data (2007: 11 → 91, 1997: 01 → 81) from a value source,
 * read-address (13 → 93) when addressed by the wildcard, refuses unknown DIs
 * with an abnormal reply, and stays silent for frames meant for other meters.
 * Runtime-neutral like drivers/: it runs inside XS as well as on Node.
 */
import type { ByteStream } from '../../drivers/ports/byte-stream.js';
import { lookupDataId, encodeDataValue } from '../../drivers/dlt645/data-ids.js';
import { BcdRangeError } from '../../drivers/dlt645/bcd.js';
import { FrameAccumulator } from '../../drivers/dlt645/framing.js';
import {
  DLT645_ABNORMAL_BIT,
  DLT645_DIRECTION_BIT,
  DLT645_SHAPE,
  Dlt645Function,
  dataIdLength,
  decodeDataId,
  encodeDataId,
  encodeDlt645Address,
  encodeDlt645Frame,
  functionCode,
  inspectDlt645Frame,
  isFromMeter,
  normalizeDlt645Address,
  type Dlt645Frame,
  type Dlt645Version,
} from '../../drivers/dlt645/frame.js';
import { concatBytes } from '../../drivers/bytes.js';

export interface Dlt645MeterSlaveOptions {
  stream: ByteStream;
  /** 12 digits as on the nameplate. */
  address: string;
  version: Dlt645Version;
  /** Current value of a DI (upper-case hex), or undefined when the meter has no such data. */
  values: (di: string) => number | undefined;
  /** FE bytes before each reply (default 2; real meters send 0–4). */
  preambleBytes?: number;
}

/** ERR bits used in abnormal replies (2007: bit 1 "no data requested"; 1997: bit 1 "bad DI"). */
const ERR_NO_SUCH_DATA = 0x02;
const ERR_OTHER = 0x01;
/** 1997 meters report their meter number (= address) under this DI. */
const METER_NUMBER_DI_1997 = 'C032';

export interface Dlt645MeterSlaveStats {
  requests: number;
  replies: number;
  errorReplies: number;
  /** Frames for other meters, replies from other meters, corrupt frames. */
  ignored: number;
}

export class Dlt645MeterSlave {
  readonly address: string;
  readonly version: Dlt645Version;
  readonly stats: Dlt645MeterSlaveStats = { requests: 0, replies: 0, errorReplies: 0, ignored: 0 };
  readonly #stream: ByteStream;
  readonly #values: (di: string) => number | undefined;
  readonly #preambleBytes: number;
  readonly #framer = new FrameAccumulator(DLT645_SHAPE);

  constructor(options: Dlt645MeterSlaveOptions) {
    this.address = normalizeDlt645Address(options.address);
    this.version = options.version;
    this.#stream = options.stream;
    this.#values = options.values;
    this.#preambleBytes = options.preambleBytes ?? 2;
    this.#stream.onReadable = (bytes) => this.#receive(bytes);
  }

  close(): void {
    this.#stream.onReadable = undefined;
  }

  #receive(bytes: Uint8Array): void {
    this.#framer.push(bytes);
    for (let event = this.#framer.next(); event !== undefined; event = this.#framer.next()) {
      if (event.kind === 'corrupt') {
        this.stats.ignored++; // a real meter drops frames that fail the checksum
        continue;
      }
      const reply = this.#answer(inspectDlt645Frame(event.bytes).frame);
      if (reply === undefined) {
        this.stats.ignored++;
        continue;
      }
      this.stats.replies++;
      if (reply.control & DLT645_ABNORMAL_BIT) this.stats.errorReplies++;
      this.#stream.write(encodeDlt645Frame(reply, { preambleBytes: this.#preambleBytes }));
    }
  }

  #answer(request: Dlt645Frame): Dlt645Frame | undefined {
    if (isFromMeter(request.control) || !this.#addressedToMe(request.address)) return undefined;
    this.stats.requests++;
    const fn = functionCode(request.control);
    if (this.version === '2007') {
      if (fn === Dlt645Function.READ_DATA) return this.#readData(request, fn);
      if (fn === Dlt645Function.READ_ADDRESS) return this.#reply(fn, encodeDlt645Address(this.address));
      if (fn > Dlt645Function.BROADCAST_TIME) return this.#refuse(fn, ERR_OTHER);
      return undefined; // a 1997 command: this meter does not speak it
    }
    if (fn === Dlt645Function.READ_DATA_1997) return this.#readData(request, fn);
    if (fn <= Dlt645Function.CLEAR_DEMAND_1997 && fn !== Dlt645Function.BROADCAST_TIME) return this.#refuse(fn, ERR_OTHER);
    return undefined;
  }

  #readData(request: Dlt645Frame, fn: number): Dlt645Frame {
    const diLength = dataIdLength(this.version);
    if (request.data.length < diLength) return this.#refuse(fn, ERR_OTHER);
    const di = decodeDataId(request.data, 0, diLength);
    const diBytes = encodeDataId(di);
    if (this.version === '1997' && di === METER_NUMBER_DI_1997) {
      return this.#reply(fn, concatBytes(diBytes, encodeDlt645Address(this.address)));
    }
    const entry = lookupDataId(di);
    const value = entry !== undefined && entry.version === this.version ? this.#values(di) : undefined;
    if (entry === undefined || value === undefined) return this.#refuse(fn, ERR_NO_SUCH_DATA);
    try {
      return this.#reply(fn, concatBytes(diBytes, encodeDataValue(entry, value)));
    } catch (error) {
      if (error instanceof BcdRangeError) return this.#refuse(fn, ERR_OTHER); // the value source went out of the format's range
      throw error;
    }
  }

  /** Wildcard bytes (AA) in the request match any digits of ours; broadcast (99…) gets no reply. */
  #addressedToMe(address: string): boolean {
    for (let i = 0; i < 12; i += 2) {
      const pair = address.slice(i, i + 2);
      if (pair !== 'AA' && pair !== this.address.slice(i, i + 2)) return false;
    }
    return true;
  }

  #reply(fn: number, data: Uint8Array): Dlt645Frame {
    return { address: this.address, control: DLT645_DIRECTION_BIT | fn, data };
  }

  #refuse(fn: number, err: number): Dlt645Frame {
    return { address: this.address, control: DLT645_DIRECTION_BIT | DLT645_ABNORMAL_BIT | fn, data: Uint8Array.of(err) };
  }
}

/**
 * A CJ/T 188 water/heat/gas meter on the far end of a ByteStream, for
 * simulators and tests. It answers read-data 901F (01 → 81) with a record
 * built from a value source, read-address (03 → 83) when addressed by the
 * wildcard, refuses other DIs with an abnormal reply, and stays silent for
 * other meters. Runtime-neutral: runs inside XS as well as on Node.
 */
import type { ByteStream } from '../../drivers/ports/byte-stream.js';
import type { Clock } from '../../drivers/ports/clock.js';
import { concatBytes } from '../../drivers/bytes.js';
import { BcdRangeError } from '../../drivers/dlt645/bcd.js';
import { FrameAccumulator } from '../../drivers/dlt645/framing.js';
import {
  CJT188_ABNORMAL_BIT,
  CJT188_ANY_METER_TYPE,
  CJT188_DIRECTION_BIT,
  CJT188_READ_ADDRESS_DI,
  CJT188_SHAPE,
  Cjt188Function,
  CjtMeterType,
  cjt188FunctionCode,
  decodeCjt188DataId,
  encodeCjt188DataId,
  encodeCjt188Frame,
  inspectCjt188Frame,
  isFromMeter,
  normalizeCjt188Address,
  type Cjt188Frame,
} from '../../drivers/cjt188/frame.js';
import { civilTimeFromUnixMs, encodeCjt188Record, type CivilTime } from '../../drivers/cjt188/record.js';

export interface Cjt188MeterSlaveOptions {
  stream: ByteStream;
  /** 14 digits as on the nameplate. */
  address: string;
  /** Meter type T (default 0x10, cold water; 0x20 heat uses the heat record). */
  meterType?: number;
  /**
   * Field values: cumulative_flow, settlement_flow (water/gas); settlement_heat,
   * current_heat, heat_power, flow_rate, cumulative_flow, supply_temperature,
   * return_temperature, working_hours (heat); valve (0 open, 1 closed, 3 abnormal),
   * battery_low (0/1). Undefined reads as 0.
   */
  values: (field: string) => number | undefined;
  /** Source of the meter's real-time clock; without it the meter reports 2000-01-01 00:00:00. */
  clock?: Clock;
  /** Offset of the meter's local time from UTC (default 480: China Standard Time). */
  utcOffsetMinutes?: number;
  preambleBytes?: number;
}

export interface Cjt188MeterSlaveStats {
  requests: number;
  replies: number;
  errorReplies: number;
  ignored: number;
}

const EPOCH_2000: CivilTime = { year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 0 };

export class Cjt188MeterSlave {
  readonly address: string;
  readonly meterType: number;
  readonly stats: Cjt188MeterSlaveStats = { requests: 0, replies: 0, errorReplies: 0, ignored: 0 };
  readonly #options: Cjt188MeterSlaveOptions;
  readonly #framer = new FrameAccumulator(CJT188_SHAPE);

  constructor(options: Cjt188MeterSlaveOptions) {
    this.address = normalizeCjt188Address(options.address);
    this.meterType = options.meterType ?? CjtMeterType.COLD_WATER;
    this.#options = options;
    options.stream.onReadable = (bytes) => this.#receive(bytes);
  }

  close(): void {
    this.#options.stream.onReadable = undefined;
  }

  #receive(bytes: Uint8Array): void {
    this.#framer.push(bytes);
    for (let event = this.#framer.next(); event !== undefined; event = this.#framer.next()) {
      const reply = event.kind === 'frame' ? this.#answer(inspectCjt188Frame(event.bytes).frame) : undefined;
      if (reply === undefined) {
        this.stats.ignored++;
        continue;
      }
      this.stats.replies++;
      if (reply.control & CJT188_ABNORMAL_BIT) this.stats.errorReplies++;
      this.#options.stream.write(encodeCjt188Frame(reply, { preambleBytes: this.#options.preambleBytes ?? 2 }));
    }
  }

  #answer(request: Cjt188Frame): Cjt188Frame | undefined {
    if (isFromMeter(request.control) || !this.#addressedToMe(request)) return undefined;
    this.stats.requests++;
    const fn = cjt188FunctionCode(request.control);
    if (request.data.length < 3) return this.#refuse(fn, 0);
    const { di, order } = decodeCjt188DataId(request.data, 0);
    const ser = request.data[2];
    // Answer in the DI byte order the master used: that is what it expects back.
    const diBytes = encodeCjt188DataId(di, order);
    if (fn === Cjt188Function.READ_ADDRESS && di === CJT188_READ_ADDRESS_DI) {
      return this.#reply(fn, concatBytes(diBytes, Uint8Array.of(ser)));
    }
    if (fn === Cjt188Function.READ_DATA && di === '901F') {
      try {
        const record = encodeCjt188Record(this.meterType, { value: (field) => this.#options.values(field), time: this.#now() });
        return this.#reply(fn, concatBytes(diBytes, Uint8Array.of(ser), record));
      } catch (error) {
        if (error instanceof BcdRangeError) return this.#refuse(fn, ser);
        throw error;
      }
    }
    return this.#refuse(fn, ser);
  }

  #addressedToMe(request: Cjt188Frame): boolean {
    if (request.meterType !== this.meterType && request.meterType !== CJT188_ANY_METER_TYPE) return false;
    for (let i = 0; i < 14; i += 2) {
      const pair = request.address.slice(i, i + 2);
      if (pair !== 'AA' && pair !== this.address.slice(i, i + 2)) return false;
    }
    return true;
  }

  #now(): CivilTime {
    const clock = this.#options.clock;
    return clock === undefined ? EPOCH_2000 : civilTimeFromUnixMs(clock.unixTimeMs(), this.#options.utcOffsetMinutes ?? 480);
  }

  #reply(fn: number, data: Uint8Array): Cjt188Frame {
    return { meterType: this.meterType, address: this.address, control: CJT188_DIRECTION_BIT | fn, data };
  }

  /** Abnormal reply: SER and a status word (valve/battery bits as the meter sees them). */
  #refuse(fn: number, ser: number): Cjt188Frame {
    const status = ((this.#options.values('valve') ?? 0) & 3) | ((this.#options.values('battery_low') ?? 0) ? 4 : 0);
    return { meterType: this.meterType, address: this.address, control: CJT188_DIRECTION_BIT | CJT188_ABNORMAL_BIT | fn, data: Uint8Array.of(ser, status, 0) };
  }
}

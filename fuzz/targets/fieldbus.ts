/**
 * Field-bus replies: Modbus RTU and TCP masters, the DL/T 645 and CJ/T 188
 * clients (each over a real in-memory line, in virtual time), plus the
 * synchronous frame decoders and describers behind `axon decode`.
 */
import { Cjt188Client, CJT188_SHAPE, describeCjt188Frame, decodeCjt188Frame, decodeCjt188Record, inspectCjt188Frame } from '../../drivers/cjt188/index.js';
import { decodeDataId, decodeDataValue, decodeDlt645Frame, describeDlt645Frame, Dlt645Client, DLT645_SHAPE, inspectDlt645Frame, lookupDataId } from '../../drivers/dlt645/index.js';
import { FrameAccumulator, sumMod256, type FrameShape } from '../../drivers/dlt645/framing.js';
import { crc16Modbus, ModbusRtuMaster, ModbusTcpMaster, withCrc, type ModbusMaster } from '../../drivers/modbus/index.js';
import { Cjt188MeterSlave, Dlt645MeterSlave } from '../../simulators/meters/index.js';
import type { FuzzTarget } from '../target.js';
import { tryEach } from '../typed-error.js';
import { exchange, recordReplies, replySeed, type ExchangeOptions, type Request } from './exchange.js';

const MODBUS_REQUESTS: ReadonlyArray<Request<ModbusMaster>> = [
  (m) => m.readHoldingRegisters(1, 0, 10),
  (m) => m.readCoils(1, 0, 13),
  (m) => m.readInputRegisters(17, 100, 2),
  (m) => m.writeSingleRegister(1, 5, 0x1234),
  (m) => m.writeMultipleRegisters(1, 0, [1, 2, 3]),
  (m) => m.readDiscreteInputs(247, 65_535, 1),
];

/** Reply PDUs (unit first) to MODBUS_REQUESTS, and an exception reply. */
const MODBUS_REPLIES: ReadonlyArray<[number, number[]]> = [
  [0, [1, 3, 20, ...Array.from({ length: 20 }, (_, i) => (i * 37) & 0xff)]],
  [1, [1, 1, 2, 0xcd, 0x01]],
  [2, [17, 4, 4, 0x41, 0x20, 0x00, 0x00]],
  [3, [1, 6, 0, 5, 0x12, 0x34]],
  [4, [1, 0x10, 0, 0, 0, 3]],
  [5, [247, 2, 1, 1]],
  [0, [1, 0x83, 2]],
];

const LINE_9600 = { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;
const LINE_2400 = { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 } as const;

const rtu: ExchangeOptions<ModbusMaster> = {
  line: LINE_9600,
  client: (stream, clock) => new ModbusRtuMaster({ stream, clock, retries: 0, timeoutMs: 500 }),
  requests: MODBUS_REQUESTS,
};

const tcp: ExchangeOptions<ModbusMaster> = {
  line: undefined,
  client: (stream, clock) => new ModbusTcpMaster({ stream, clock, retries: 0, timeoutMs: 500 }),
  requests: MODBUS_REQUESTS,
};

export function modbusRtuTarget(): FuzzTarget {
  return {
    name: 'modbus-rtu',
    description: 'ModbusRtuMaster read/write replies (FC01–06, 16, exceptions) over a 9600 8N1 line',
    seeds: MODBUS_REPLIES.map(([index, pdu]) => replySeed(index, withCrc(Uint8Array.from(pdu)), [{ at: 2, size: 1 }])),
    maxRandomLength: 300,
    repair(bytes) {
      if (bytes.length < 4) return bytes;
      const out = bytes.slice();
      const crc = crc16Modbus(out, 1, out.length - 2);
      out[out.length - 2] = crc & 0xff;
      out[out.length - 1] = crc >> 8;
      return out;
    },
    run: (input) => exchange(input, rtu),
  };
}

export function modbusTcpTarget(): FuzzTarget {
  return {
    name: 'modbus-tcp',
    description: 'ModbusTcpMaster replies (MBAP header, transaction id, unit, PDU)',
    seeds: MODBUS_REPLIES.map(([index, [unit, ...pdu]]) => {
      const length = pdu.length + 1;
      return replySeed(index, Uint8Array.from([0, 1, 0, 0, length >> 8, length & 0xff, unit, ...pdu]), [{ at: 4, size: 2 }, { at: 8, size: 1 }]);
    }),
    maxRandomLength: 300,
    run: (input) => exchange(input, tcp),
  };
}

/** Fix the checksum and end byte of the first frame found, so mutants reach the field decoding. */
function repairMeterFrame(shape: FrameShape, bytes: Uint8Array, from: number): Uint8Array {
  const start = bytes.indexOf(0x68, from);
  if (start < 0 || start + shape.headerLength > bytes.length) return bytes;
  const end = start + shape.headerLength + bytes[start + shape.lengthOffset];
  if (end + 2 > bytes.length) return bytes;
  const out = bytes.slice();
  out[end] = sumMod256(out, start, end);
  out[end + 1] = 0x16;
  return out;
}

/** The synchronous decoders on the reply bytes, then a framer fed byte by byte. */
function decodeMeterFrame(shape: FrameShape, reply: Uint8Array, decoders: ReadonlyArray<(bytes: Uint8Array) => unknown>): void {
  tryEach(decoders.map((decode) => () => decode(reply)));
  const framer = new FrameAccumulator(shape, 64);
  for (let i = 0; i < reply.length; i++) {
    framer.push(reply.subarray(i, i + 1));
    while (framer.next() !== undefined);
  }
  framer.finish();
}

/** A meter protocol target: the client's requests answered with the input, after the synchronous decoders on it. */
function meterTarget<C>(name: string, description: string, shape: FrameShape, options: ExchangeOptions<C>, replies: Uint8Array[], decoders: ReadonlyArray<(bytes: Uint8Array) => unknown>): FuzzTarget {
  return {
    name,
    description,
    // The length byte L sits at a fixed distance from the first 0x68; a request nobody answered gives no seed.
    seeds: replies.map((reply, i) => replySeed(i, reply, [{ at: reply.indexOf(0x68) + shape.lengthOffset, size: 1 }])).filter((seed) => seed.bytes.length > 1),
    maxRandomLength: 120,
    repair: (bytes) => repairMeterFrame(shape, bytes, 1),
    async run(input) {
      decodeMeterFrame(shape, input.subarray(1), decoders);
      await exchange(input, options);
    },
  };
}

const DLT645_ADDRESS = '000000000161';
const DLT645_1997_ADDRESS = '000000000162';

const dlt645: ExchangeOptions<Dlt645Client> = {
  line: LINE_2400,
  client: (stream, clock) => new Dlt645Client({ stream, clock, retries: 0, timeoutMs: 800 }),
  requests: [
    (c) => c.read(DLT645_ADDRESS, '00010000'),
    (c) => c.read(DLT645_ADDRESS, '02010100'),
    (c) => c.read(DLT645_ADDRESS, '02030000'),
    (c) => c.readAddress(),
    (c) => c.read(DLT645_1997_ADDRESS, '9010'),
  ],
};

export async function dlt645Target(): Promise<FuzzTarget> {
  const values = (di: string) => ({ '00010000': 1234.56, '02010100': 231.4, '02030000': -1.2345, '9010': 77.7 })[di];
  const replies = await recordReplies(dlt645, (stream, _clock, request) => {
    const v1997 = request === dlt645.requests.length - 1;
    new Dlt645MeterSlave({ stream, address: v1997 ? DLT645_1997_ADDRESS : DLT645_ADDRESS, version: v1997 ? '1997' : '2007', values });
  });
  return meterTarget('dlt645', 'Dlt645Client.read/readAddress replies (2007 and 1997), decodeDlt645Frame, describeDlt645Frame, inspectDlt645Frame, FrameAccumulator, decodeDataValue',
    DLT645_SHAPE, dlt645, replies, [
      describeDlt645Frame,
      (b) => describeDlt645Frame(b, { version: '1997' }),
      inspectDlt645Frame,
      (b) => {
        const frame = decodeDlt645Frame(b);
        const diLength = frame.data.length >= 4 ? 4 : 2;
        const entry = lookupDataId(decodeDataId(frame.data, 0, diLength));
        if (entry !== undefined) decodeDataValue(entry, frame.data.subarray(diLength));
      },
    ]);
}

const CJT188_ADDRESS = '20240001234567';

const cjt188: ExchangeOptions<Cjt188Client> = {
  line: LINE_2400,
  client: (stream, clock) => new Cjt188Client({ stream, clock, retries: 0, timeoutMs: 800 }),
  requests: [
    (c) => c.readData(CJT188_ADDRESS),
    (c) => c.readAddress(),
    (c) => c.readData(CJT188_ADDRESS, { di: 'D120' }),
  ],
};

export async function cjt188Target(): Promise<FuzzTarget> {
  const values = (field: string) => ({ cumulative_flow: 1234.56, settlement_flow: 1200, valve: 1, battery_low: 1, current_heat: 12.5 })[field];
  const replies = await recordReplies(cjt188, (stream, clock) => {
    new Cjt188MeterSlave({ stream, address: CJT188_ADDRESS, values, clock });
  });
  return meterTarget('cjt188', 'Cjt188Client.readData/readAddress replies, decodeCjt188Frame, describeCjt188Frame, inspectCjt188Frame, decodeCjt188Record, FrameAccumulator',
    CJT188_SHAPE, cjt188, replies, [
      describeCjt188Frame,
      inspectCjt188Frame,
      (b) => {
        const frame = decodeCjt188Frame(b);
        decodeCjt188Record(frame.meterType, frame.data.subarray(3));
      },
    ]);
}

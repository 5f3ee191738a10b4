/**
 * Inputs of the benchmarks, fixed so every run (and both engines) decode the
 * same bytes. Expected results are written out by hand here, independently
 * of the decoders, so bench/bench.test.ts can tell a broken decoder from a
 * slow one.
 */
import type { DeviceManifest, ModbusPoint } from '../../drivers/devices/manifest.js';

/**
 * A ten-register FC03 device in the style of manifests/devices/*.json, mixing
 * the value types those manifests use: scaled int16/uint16, float32 in both
 * word orders (CDAB as on the radar gauge), a status word read bit by bit,
 * and a 32-bit counter. Registers 0–9 are all mapped, so one read plan
 * request of 10 registers serves every point.
 */
export const BENCH_DEVICE: DeviceManifest = {
  id: 'bench-fc03x10',
  name: 'Benchmark multi-sensor (10 holding registers)',
  vendor: 'Axon bench',
  category: 'other',
  protocol: 'modbus',
  line: { baud: 9600, parity: 'none', dataBits: 8, stopBits: 1 },
  defaultAddress: 1,
  pollPeriodS: 60,
  points: [
    { id: 'temperature', name: 'Temperature', unit: '°C', fc: 3, address: 0, type: 'int16', scale: 0.1, min: -40, max: 80 },
    { id: 'humidity', name: 'Relative humidity', unit: '%RH', fc: 3, address: 1, type: 'uint16', scale: 0.1, min: 0, max: 100 },
    { id: 'level', name: 'Level', unit: 'm', fc: 3, address: 2, type: 'float32', order: 'CDAB', min: -1, max: 30 },
    { id: 'pressure', name: 'Pressure', unit: 'MPa', fc: 3, address: 4, type: 'float32', order: 'ABCD', min: -0.1, max: 1.6 },
    { id: 'echo_strength', name: 'Echo strength', unit: 'dB', fc: 3, address: 6, type: 'uint16', role: 'status', min: 0, max: 120 },
    { id: 'alarm', name: 'Alarm', role: 'alarm', fc: 3, address: 7, type: 'bool', bit: 0 },
    { id: 'fault', name: 'Fault', role: 'status', fc: 3, address: 7, type: 'bool', bit: 1 },
    { id: 'pulse_count', name: 'Pulse counter', fc: 3, address: 8, type: 'uint32', min: 0 },
  ],
};

export const BENCH_POINTS = BENCH_DEVICE.points as readonly ModbusPoint[];

export const FC03_UNIT = 1;
export const FC03_ADDRESS = 0;
export const FC03_COUNT = 10;

/** The request a master sends for FC03, unit 1, registers 0–9. */
export const FC03X10_REQUEST_HEX = '01 03 00 00 00 0A C5 CD';

/**
 * The device's reply: unit 1, FC03, 20 data bytes, CRC AD 86.
 * Registers: FFC9 0264 | 0000 4050 | 3EC0 0000 | 0057 | 0005 | 0001 E240.
 */
export const FC03X10_REPLY_HEX = '01 03 14 FF C9 02 64 00 00 40 50 3E C0 00 00 00 57 00 05 00 01 E2 40 AD 86';

export const FC03X10_EXPECTED_REGISTERS: readonly number[] = [0xffc9, 0x0264, 0x0000, 0x4050, 0x3ec0, 0x0000, 0x0057, 0x0005, 0x0001, 0xe240];

/** Engineering values of BENCH_DEVICE's points in that reply. */
export const FC03X10_EXPECTED_VALUES: Readonly<Record<string, number | boolean>> = {
  temperature: -5.5,
  humidity: 61.2,
  level: 3.25,
  pressure: 0.375,
  echo_strength: 87,
  alarm: true,
  fault: false,
  pulse_count: 123456,
};

/** DESIGN.md §4 public pair: meter 000000000161 answers DI 00010000 with 0.06 kWh. */
export const DLT645_REPLY_HEX = '68 14 01 00 31 82 21 68 91 08 33 33 34 33 39 33 33 33 F1 16';
/**
 * What that reply says. Note the reply's address field (14 01 00 31 82 21, low
 * byte first) is 218231000114, not the 000000000161 of the published request.
 */
export const DLT645_EXPECTED = {
  address: '218231000114',
  di: '00010000',
  name: 'forward_active_energy_total',
  value: 0.06,
  unit: 'kWh',
} as const;

/** CRC-16/MODBUS of crcInput() (computed independently of drivers/modbus/crc16.ts). */
export const CRC_256_EXPECTED = 0xde6c;

/** 256 bytes 0x00..0xFF for the CRC benchmark. */
export function crcInput(): Uint8Array {
  const bytes = new Uint8Array(256);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  return bytes;
}

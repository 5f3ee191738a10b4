/**
 * The data identifiers Axon decodes without help: energy registers and the
 * instantaneous quantities a district gateway polls. Each entry gives the BCD
 * format from the standard's appendix (bytes, implied decimals, sign bit) and
 * the engineering unit. Other DIs can still be read raw or with an explicit
 * format.
 */
import { decodeBcd, encodeBcd, type BcdFormat } from './bcd.js';
import type { Dlt645Version } from './frame.js';

export interface Dlt645DataId extends BcdFormat {
  /** DI3..DI0 (2007) or DI1 DI0 (1997), upper-case hex. */
  di: string;
  version: Dlt645Version;
  /** snake_case name, the same for the 1997 and 2007 form of a quantity. */
  name: string;
  unit: string;
}

type Row = [di: string, name: string, bytes: number, decimals: number, signed: boolean, unit: string];

// DL/T 645-2007 Appendix A. Combined active energy may be negative (sign in the top bit);
// currents, powers and power factors carry a sign for the direction of flow.
const ROWS_2007: Row[] = [
  ['00000000', 'combined_active_energy_total', 4, 2, true, 'kWh'],
  ['00010000', 'forward_active_energy_total', 4, 2, false, 'kWh'],
  ['00010100', 'forward_active_energy_tariff_1', 4, 2, false, 'kWh'],
  ['00010200', 'forward_active_energy_tariff_2', 4, 2, false, 'kWh'],
  ['00010300', 'forward_active_energy_tariff_3', 4, 2, false, 'kWh'],
  ['00010400', 'forward_active_energy_tariff_4', 4, 2, false, 'kWh'],
  ['00020000', 'reverse_active_energy_total', 4, 2, false, 'kWh'],
  ['02010100', 'voltage_a', 2, 1, false, 'V'],
  ['02010200', 'voltage_b', 2, 1, false, 'V'],
  ['02010300', 'voltage_c', 2, 1, false, 'V'],
  ['02020100', 'current_a', 3, 3, true, 'A'],
  ['02020200', 'current_b', 3, 3, true, 'A'],
  ['02020300', 'current_c', 3, 3, true, 'A'],
  ['02030000', 'active_power_total', 3, 4, true, 'kW'],
  ['02030100', 'active_power_a', 3, 4, true, 'kW'],
  ['02030200', 'active_power_b', 3, 4, true, 'kW'],
  ['02030300', 'active_power_c', 3, 4, true, 'kW'],
  ['02040000', 'reactive_power_total', 3, 4, true, 'kvar'],
  ['02060000', 'power_factor_total', 2, 3, true, ''],
  ['02060100', 'power_factor_a', 2, 3, true, ''],
  ['02060200', 'power_factor_b', 2, 3, true, ''],
  ['02060300', 'power_factor_c', 2, 3, true, ''],
  ['02800002', 'grid_frequency', 2, 2, false, 'Hz'],
];

// DL/T 645-1997: 2-byte DIs, coarser instantaneous formats (voltage in whole volts,
// current XX.XX A) and no sign bits: direction lives in a separate status word.
const ROWS_1997: Row[] = [
  ['9010', 'forward_active_energy_total', 4, 2, false, 'kWh'],
  ['9011', 'forward_active_energy_tariff_1', 4, 2, false, 'kWh'],
  ['9012', 'forward_active_energy_tariff_2', 4, 2, false, 'kWh'],
  ['9013', 'forward_active_energy_tariff_3', 4, 2, false, 'kWh'],
  ['9014', 'forward_active_energy_tariff_4', 4, 2, false, 'kWh'],
  ['9020', 'reverse_active_energy_total', 4, 2, false, 'kWh'],
  ['B611', 'voltage_a', 2, 0, false, 'V'],
  ['B612', 'voltage_b', 2, 0, false, 'V'],
  ['B613', 'voltage_c', 2, 0, false, 'V'],
  ['B621', 'current_a', 2, 2, false, 'A'],
  ['B622', 'current_b', 2, 2, false, 'A'],
  ['B623', 'current_c', 2, 2, false, 'A'],
  ['B630', 'active_power_total', 3, 4, false, 'kW'],
  ['B631', 'active_power_a', 3, 4, false, 'kW'],
  ['B632', 'active_power_b', 3, 4, false, 'kW'],
  ['B633', 'active_power_c', 3, 4, false, 'kW'],
  ['B650', 'power_factor_total', 2, 3, false, ''],
  ['B651', 'power_factor_a', 2, 3, false, ''],
  ['B652', 'power_factor_b', 2, 3, false, ''],
  ['B653', 'power_factor_c', 2, 3, false, ''],
];

function toEntries(rows: Row[], version: Dlt645Version): Dlt645DataId[] {
  return rows.map(([di, name, bytes, decimals, signed, unit]) => ({ di, version, name, bytes, decimals, signed, unit }));
}

export const DLT645_DATA_IDS: readonly Dlt645DataId[] = [...toEntries(ROWS_2007, '2007'), ...toEntries(ROWS_1997, '1997')];

const BY_DI = new Map<string, Dlt645DataId>(DLT645_DATA_IDS.map((entry) => [entry.di, entry]));

/** The table entry for a DI (any case), or undefined. */
export function lookupDataId(di: string): Dlt645DataId | undefined {
  return BY_DI.get(di.toUpperCase());
}

/** The same quantity in the other edition (00010000 ↔ 9010), when the table has both. */
export function equivalentDataId(di: string): Dlt645DataId | undefined {
  const entry = lookupDataId(di);
  if (entry === undefined) return undefined;
  return DLT645_DATA_IDS.find((other) => other.name === entry.name && other.version !== entry.version);
}

/** Decode the value bytes that follow the DI in a read reply. */
export function decodeDataValue(format: BcdFormat, valueBytes: Uint8Array): number {
  return decodeBcd(valueBytes, 0, format);
}

export function encodeDataValue(format: BcdFormat, value: number): Uint8Array {
  return encodeBcd(value, format);
}

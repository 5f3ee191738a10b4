/** Workload `crc16.256B`: CRC-16/MODBUS of a 256-byte buffer (the table-driven core routine). */
import { crc16Modbus } from '../../drivers/modbus/crc16.js';
import { baselines, syncWorkload, type WorkloadTable } from './harness.js';
import { crcInput } from './fixtures.js';

export const workloads: WorkloadTable = {
  ...baselines,
  'crc16.256B': syncWorkload('CRC-16/MODBUS over 256 bytes', () => {
    const bytes = crcInput();
    return () => crc16Modbus(bytes);
  }),
};

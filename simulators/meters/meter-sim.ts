/**
 * Wires a meter manifest's DeviceSimulator to the matching protocol slave, so a
 * simulated DL/T 645 or CJ/T 188 meter answers from the manifest's point models.
 * Runtime-neutral: used by the Node sim command and by in-process/XS tests.
 */
import type { ByteStream } from '../../drivers/ports/byte-stream.js';
import type { Clock } from '../../drivers/ports/clock.js';
import type { DeviceSimulator } from '../device-sim.js';
import { Cjt188MeterSlave } from './cjt188-slave.js';
import { Dlt645MeterSlave } from './dlt645-slave.js';

export type MeterSlave = Dlt645MeterSlave | Cjt188MeterSlave;

export function attachMeterSlave(options: { stream: ByteStream; clock: Clock; simulator: DeviceSimulator; address: string }): MeterSlave {
  const { stream, clock, simulator, address } = options;
  const protocol = simulator.manifest.protocol;
  if (protocol === 'cjt188') {
    // CJ/T 188 record fields come from the 901F points by their `field`.
    return new Cjt188MeterSlave({
      stream,
      address,
      clock,
      values: (field) => simulator.valuesForDi('901F').find((e) => e.point.field === field)?.value,
    });
  }
  if (protocol === 'dlt645-2007' || protocol === 'dlt645-1997') {
    return new Dlt645MeterSlave({
      stream,
      address,
      version: protocol === 'dlt645-1997' ? '1997' : '2007',
      values: (di) => simulator.valuesForDi(di)[0]?.value,
    });
  }
  throw new RangeError(`${simulator.manifest.id} is a ${protocol} device, not a meter`);
}

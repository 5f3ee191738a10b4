export { Dlt645MeterSlave, type Dlt645MeterSlaveOptions, type Dlt645MeterSlaveStats } from './dlt645-slave.js';
export { Cjt188MeterSlave, type Cjt188MeterSlaveOptions, type Cjt188MeterSlaveStats } from './cjt188-slave.js';
export * from './meter-sim.js';

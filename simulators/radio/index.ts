/**
 * Simulated LoRa air for tests and fleets. Device side: `createDeviceRadio()`
 * gives a Radio port (drivers/ports/radio.ts) for the MAC. Network side:
 * `addGateway()` gives `onUplink` (PHYPayload + timestamps, SF, frequency,
 * RSSI/SNR) and `scheduleDownlink({ atMs, ... })` for RX1/RX2 at exact times.
 */
export * from './types.js';
export { SimulatedLoraChannel, SimulatedDeviceRadio, SimulatedGateway, demodulationFloorDb } from './channel.js';
export { Concentrator, DownlinkRefusedError, SX1302_DEMODULATORS, type ConcentratorOptions } from './concentrator.js';
export { CROCE_2018_SIR_DB, interSfThresholdDb, type InterSfModel } from './inter-sf.js';
export { Sx126xChip, type Sx126xChipOptions, type ChipRxWindow, type ChipTransmission } from './sx126x-chip.js';
export { ChipInputLine, ChipOutputLine } from './chip-lines.js';
export { rxWindowOffsets, type RxWindowOffset, type RxDelays } from './rx-timing.js';
export { Sx127xChip, type Sx127xChipOptions } from './sx127x-chip.js';

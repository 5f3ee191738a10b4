/**
 * LoRa transceivers on SPI behind the Radio port (drivers/ports/radio.ts):
 * SX1262/SX1268 through their command interface, SX1276/SX1278 through their
 * registers. Hosts give them an SpiDevice and the chip's lines (drivers/ports/spi.ts).
 */
export { RadioError, type RadioErrorCode } from './errors.js';
export { SpiLoraRadio, type SpiLoraRadioOptions } from './spi-lora-radio.js';
export { Sx126xRadio, type Sx126xOptions } from './sx126x/sx126x-radio.js';
export { Sx127xRadio, type Sx127xOptions } from './sx127x/sx127x-radio.js';
export type { TcxoVoltage } from './sx126x/commands.js';

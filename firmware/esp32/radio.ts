/**
 * The board's LoRa transceiver as a Radio port: the core's SX126x or SX127x
 * driver on ECMA-419 SPI and digital lines, wired as the board config says
 * (firmware/esp32/boards has the tables of common boards).
 */
import type { Clock } from '../../drivers/ports/clock.js';
import { Sx126xRadio, Sx127xRadio, type SpiLoraRadio } from '../../drivers/radio/index.js';
import type { RadioWiring } from './board.js';
import { ModdableDigitalInput } from './ports/digital-input.js';
import { ModdableDigitalOutput } from './ports/digital-output.js';
import { ModdableSpiDevice } from './ports/moddable-spi.js';

export function openBoardRadio(wiring: RadioWiring, clock: Clock): SpiLoraRadio {
  const spi = new ModdableSpiDevice(wiring.spi);
  // Created low: the chip stays in reset until the driver's set-up pulses NRESET and releases it.
  const reset = wiring.pins.reset === undefined ? undefined : new ModdableDigitalOutput({ pin: wiring.pins.reset });
  const where = `${wiring.type.toUpperCase()} on SPI (NSS GPIO ${wiring.spi.select})`;
  if (wiring.type === 'sx1262' || wiring.type === 'sx1268') {
    return new Sx126xRadio({
      clock, spi, reset, where, chip: wiring.type,
      busy: new ModdableDigitalInput({ pin: wiring.pins.busy ?? -1 }),
      irq: wiring.pins.dio1 === undefined ? undefined : new ModdableDigitalInput({ pin: wiring.pins.dio1, edges: true }),
      tcxo: wiring.tcxo, dio2RfSwitch: wiring.dio2RfSwitch, antennaGainDbi: wiring.antennaGainDbi,
    });
  }
  return new Sx127xRadio({
    clock, spi, reset, where, chip: wiring.type,
    irq: wiring.pins.dio0 === undefined ? undefined : new ModdableDigitalInput({ pin: wiring.pins.dio0, edges: true }),
    antennaGainDbi: wiring.antennaGainDbi,
  });
}

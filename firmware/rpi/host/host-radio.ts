/**
 * The LoRa transceiver of a Raspberry Pi gateway, as its host config names it
 * (`"radio": { "type": "sx1262", "spi": "/dev/spidev0.0", "pins": {…} }`):
 * checked against the site (the chip must tune the region's band; no pin
 * used twice), then opened as a Radio port: the core's SX126x/SX127x driver
 * over spidev and the Pi's GPIO lines. Lines are opened through `RadioHostParts`,
 * so tests put the chip simulators where the Pi's SPI and GPIO would be.
 */
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { createRegion } from '../../../drivers/lorawan/regions/index.js';
import type { Clock } from '../../../drivers/ports/clock.js';
import type { DigitalInput, DigitalOutput } from '../../../drivers/ports/digital.js';
import type { SpiDevice, SpiSettings } from '../../../drivers/ports/spi.js';
import { Sx126xRadio, Sx127xRadio, type SpiLoraRadio, type TcxoVoltage } from '../../../drivers/radio/index.js';
import { regionMismatch, SPI_RADIO_TYPES } from '../../../drivers/radio/bands.js';
import { SysfsGpioInput } from '../ports/sysfs-gpio-input.js';
import { SysfsGpioOutput } from '../ports/sysfs-gpio-output.js';
import { openSpidev } from '../ports/spidev.js';

export interface Sx126xRadioConfig {
  type: 'sx1262' | 'sx1268';
  spi: string;
  spiHz?: number;
  pins: { busy: number; dio1: number; reset?: number };
  tcxo?: { voltage: TcxoVoltage; startupMs?: number };
  dio2RfSwitch?: boolean;
  regulator?: 'dcdc' | 'ldo';
  antennaGainDbi?: number;
}

export interface Sx127xRadioConfig {
  type: 'sx1276' | 'sx1278';
  spi: string;
  spiHz?: number;
  pins: { dio0: number; reset?: number };
  antennaGainDbi?: number;
}

/** A transceiver on the Pi's SPI bus, driven by the core's own LoRaWAN MAC. */
export type SpiRadioConfig = Sx126xRadioConfig | Sx127xRadioConfig;

export { SPI_RADIO_TYPES };

export function isSpiRadio(radio: { type: string } | undefined): radio is SpiRadioConfig {
  return radio !== undefined && (SPI_RADIO_TYPES as readonly string[]).includes(radio.type);
}

/** What the radio is opened on: the Pi's spidev and GPIO, or (in tests) a chip simulator's. */
export interface RadioHostParts {
  /** Read the IRQ line this often, ms, when `input` lines report no edges. */
  irqPollMs?: number;
  openSpi(path: string, settings: SpiSettings): SpiDevice;
  input(line: number, name: string): DigitalInput;
  output(line: number, name: string): DigitalOutput;
}

/** The Pi: spidev through spi-device, lines through the Pi's digital port (sysfs today, numbered as outputs are). */
export function piRadioParts(gpioRoot?: string): RadioHostParts {
  return {
    // sysfs lines report no edges: read DIO1/DIO0 every 2 ms while a packet or window is in progress.
    irqPollMs: 2,
    openSpi: (path, settings) => openSpidev(path, settings),
    input: (gpio, name) => new SysfsGpioInput({ gpio, gpioRoot, name }),
    // Created low: the chip stays in reset until the driver's set-up pulses NRESET and releases it.
    output: (gpio, name) => new SysfsGpioOutput({ gpio, gpioRoot, name }),
  };
}

/** Problems of the radio config against the site: band, pins (JSON paths under $.radio). */
export function radioProblems(radio: SpiRadioConfig, site: SiteFile, outputGpios: ReadonlyMap<number, string>): Array<{ path: string; message: string; fix: string }> {
  const problems: Array<{ path: string; message: string; fix: string }> = [];
  const mismatch = site.uplink.kind === 'lorawan' ? regionMismatch(radio.type, createRegion(site.uplink.region)) : undefined;
  if (mismatch !== undefined) problems.push({ path: '$.radio.type', ...mismatch });
  const seen = new Map<number, string>();
  for (const [name, line] of Object.entries(radio.pins)) {
    if (line === undefined) continue;
    const other = seen.get(line) ?? outputGpios.get(line);
    if (other !== undefined) problems.push({ path: `$.radio.pins.${name}`, message: `GPIO ${line} is already used by ${other}`, fix: 'give every radio line its own GPIO (the module\'s pinout names BUSY, DIO1/DIO0, RESET)' });
    seen.set(line, `radio ${name}`);
  }
  return problems;
}

function isSx126x(radio: SpiRadioConfig): radio is Sx126xRadioConfig {
  return radio.type === 'sx1262' || radio.type === 'sx1268';
}

/** The core's driver for `radio`, on `parts` (default: this Pi's spidev and GPIO). */
export function openHostRadio(radio: SpiRadioConfig, clock: Clock, parts: RadioHostParts): SpiLoraRadio {
  const where = `${radio.type.toUpperCase()} on ${radio.spi}`;
  if (isSx126x(radio)) {
    const spi = parts.openSpi(radio.spi, { hz: radio.spiHz ?? 8_000_000, mode: 0 });
    return new Sx126xRadio({
      clock, spi, where, chip: radio.type,
      busy: parts.input(radio.pins.busy, 'radio BUSY'),
      irq: parts.input(radio.pins.dio1, 'radio DIO1'),
      reset: radio.pins.reset === undefined ? undefined : parts.output(radio.pins.reset, 'radio RESET'),
      tcxo: radio.tcxo, dio2RfSwitch: radio.dio2RfSwitch, regulator: radio.regulator, antennaGainDbi: radio.antennaGainDbi, irqPollMs: parts.irqPollMs,
    });
  }
  const sx127x = radio as Sx127xRadioConfig;
  const spi = parts.openSpi(sx127x.spi, { hz: sx127x.spiHz ?? 8_000_000, mode: 0 });
  return new Sx127xRadio({
    clock, spi, where, chip: sx127x.type,
    irq: parts.input(sx127x.pins.dio0, 'radio DIO0'),
    reset: sx127x.pins.reset === undefined ? undefined : parts.output(sx127x.pins.reset, 'radio RESET'),
    antennaGainDbi: sx127x.antennaGainDbi, irqPollMs: parts.irqPollMs,
  });
}

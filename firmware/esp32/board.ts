/**
 * Board config: how one ESP32 is wired for one site. The site file says what
 * is on each bus and which outputs the rules drive; the board config says which
 * UART and pins each of them is on, and how the NB-IoT modem is attached.
 * compile-site.ts checks it against the site on the host and compiles both into
 * the firmware (the `site-config` module), so the device never parses or
 * validates configuration.
 *
 * Defaults (firmware/esp32/boards/devkitc-rs485-bc28.json): an ESP32-DevKitC
 * (WROOM-32) with a MAX3485-class RS-485 transceiver on UART2 (RX GPIO16,
 * TX GPIO17, DE and /RE tied to GPIO4) and a Quectel BC28 on UART1 (RX GPIO26,
 * TX GPIO27, 9600 baud). UART0 stays with the console and xsbug.
 *
 * Runtime-neutral types plus a pure check: main.ts imports the types, the
 * Node-side compile-site.ts the check.
 */
import type { PsmSettings } from '../../drivers/nbiot/modem.js';
import { siteNbIotTransport, type NbIotMqttClientSettings, type NbIotTransportConfig } from '../../drivers/nbiot/transports.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import type { HexKeys } from '../../drivers/lorawan/mac/hex-credentials.js';
import type { SpiRadioType } from '../../drivers/radio/bands.js';
import type { TcxoVoltage } from '../../drivers/radio/sx126x/commands.js';
import { radioBoardProblems } from './radio-board.js';

/** A UART as Moddable's ECMA-419 serial opens it. */
export interface UartPins {
  /** Hardware UART: 1 or 2 (UART0 is the console and xsbug). */
  port: 1 | 2;
  /** GPIO of the ESP32's RX (the transceiver's RO, the modem's TXD). */
  receive: number;
  /** GPIO of the ESP32's TX (the transceiver's DI, the modem's RXD). */
  transmit: number;
}

export interface BusWiring extends UartPins {
  /** GPIO driving the transceiver's DE and /RE (tied); omit for auto-direction transceivers. */
  direction?: number;
}

export interface OutputWiring {
  pin: number;
  /** True when the driver energises the load on a low level (most opto-isolated relay boards). Default false. */
  activeLow?: boolean;
}

export interface ModemWiring extends UartPins {
  /** BC28/BC95 default: 9600. */
  baud?: number;
  /** 'manual' sends AT+CGATT=1, 'auto' waits for the module's AUTOCONNECT. Default 'manual'. */
  attach?: 'manual' | 'auto';
  /** Time the first attach may take, ms. Default 120 000 (field registration takes 20–120 s). */
  attachDeadlineMs?: number;
  psm?: PsmSettings;
}

/** A LoRa transceiver on the ESP32's SPI bus and its lines. */
export interface RadioWiring {
  type: SpiRadioType;
  spi: { port?: number; clock: number; in: number; out: number; select: number; hz?: number };
  /** SX126x: busy and dio1; SX127x: dio0. reset on both when wired. */
  pins: { busy?: number; dio1?: number; dio0?: number; reset?: number };
  /** SX126x modules with a TCXO on DIO3 (Heltec V3: 1.8 V). */
  tcxo?: { voltage: TcxoVoltage; startupMs?: number };
  /** SX126x: DIO2 drives the antenna switch (default true). */
  dio2RfSwitch?: boolean;
  antennaGainDbi?: number;
}

/** OTAA (devEui, joinEui, appKey) or ABP (devAddr, nwkSKey, appSKey), as hex. */
export type LorawanKeys = HexKeys;

/** The ESP32 family member the board carries; it decides which UARTs exist. */
export type Esp32Chip = 'esp32' | 'esp32s2' | 'esp32s3' | 'esp32c3';

/**
 * UARTs besides UART0 (console and xsbug), per chip, from Espressif's
 * datasheets: the original ESP32 and the S3 have UART1 and UART2; the S2 and
 * the C3 have UART1 only.
 */
export const CHIP_UARTS: Readonly<Record<Esp32Chip, readonly number[]>> = { esp32: [1, 2], esp32s2: [1], esp32s3: [1, 2], esp32c3: [1] };

export interface BoardConfig {
  /** For the boot log. */
  name: string;
  /** Chip (default "esp32"); build with the matching mcconfig platform, e.g. -p esp32/<board> for an ESP32, esp32/<s3 board> for an S3. */
  chip?: Esp32Chip;
  /** Wiring of every site bus, by bus id. */
  buses: Record<string, BusWiring>;
  /** Wiring of every site output, by output id. */
  outputs: Record<string, OutputWiring>;
  /** The NB-IoT modem (site uplink nbiot). */
  modem?: ModemWiring;
  /** The LoRa transceiver (site uplink lorawan); firmware/esp32/boards has tables for common boards. */
  radio?: RadioWiring;
  /** LoRaWAN identity and keys (site uplink lorawan), as registered on the network server. */
  lorawan?: LorawanKeys;
  uplink?: {
    /** Wait for the server's ack frame per attempt, ms. Default 15 000. */
    ackTimeoutMs?: number;
    /** Attempts per message. Default 3. */
    attempts?: number;
    /** MQTT client settings, required when the site's NB-IoT transport is mqtt. */
    mqtt?: NbIotMqttClientSettings;
  };
  /** Gateway timing and log size (GatewayOptions); defaults are the core's. */
  gateway?: { flushEveryMs?: number; statusEveryMs?: number; storeCapacityBytes?: number };
  /** Directory of the store-and-forward log under Moddable's file root. Default "axon/". */
  logDirectory?: string;
}

/**
 * GPIOs per chip (Espressif datasheets): the highest number, the pins of the
 * module's SPI flash, and the input-only ones. ESP32-WROOM: 6–11 are the
 * flash, 34–39 input only; the S2/S3 modules keep 26–32 for flash and PSRAM.
 */
const CHIP_PINS: Readonly<Record<Esp32Chip, { max: number; flash: readonly number[]; inputOnly: readonly number[] }>> = {
  esp32: { max: 39, flash: [6, 7, 8, 9, 10, 11], inputOnly: [34, 35, 36, 37, 38, 39] },
  esp32s2: { max: 46, flash: [26, 27, 28, 29, 30, 31, 32], inputOnly: [46] },
  esp32s3: { max: 48, flash: [26, 27, 28, 29, 30, 31, 32], inputOnly: [] },
  esp32c3: { max: 21, flash: [12, 13, 14, 15, 16, 17], inputOnly: [] },
};

export interface BoardCheck {
  problems: string[];
  warnings: string[];
}

/** Everything wrong with `board` for `site`, and what deserves a look. Pure. */
export function checkBoard(site: SiteFile, board: BoardConfig): BoardCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const claimed = new Map<number, string>();
  const pins = CHIP_PINS[board.chip ?? 'esp32'] ?? CHIP_PINS.esp32;
  const claim = (pin: number | undefined, what: string, output: boolean): void => {
    if (pin === undefined) return;
    if (!Number.isInteger(pin) || pin < 0 || pin > pins.max) return void problems.push(`${what}: GPIO ${pin} is not an ${(board.chip ?? 'esp32').toUpperCase()} pin (0–${pins.max})`);
    if (pins.flash.includes(pin)) problems.push(`${what}: GPIO ${pin} belongs to the SPI flash`);
    if (output && pins.inputOnly.includes(pin)) problems.push(`${what}: GPIO ${pin} is input-only`);
    const other = claimed.get(pin);
    if (other !== undefined) problems.push(`${what}: GPIO ${pin} is already used by ${other}`);
    claimed.set(pin, what);
  };
  const uarts = new Map<number, string>();
  const claimUart = (wiring: UartPins, what: string): void => {
    const chip = board.chip ?? 'esp32';
    const available = CHIP_UARTS[chip] as readonly number[] | undefined;
    if (available === undefined) problems.push(`chip '${String(chip)}' is not one of ${Object.keys(CHIP_UARTS).join(', ')}`);
    else if (!available.includes(wiring.port)) {
      problems.push(`${what}: UART ${String(wiring.port)} does not exist on the ${chip} (it has ${available.map((p) => `UART${p}`).join(' and ')} besides UART0, the console)${available.length === 1 ? '; one UART cannot carry both the RS-485 bus and the modem: use an ESP32 or ESP32-S3 board' : ''}`);
    }
    const other = uarts.get(wiring.port);
    if (other !== undefined) problems.push(`${what}: UART ${wiring.port} is already used by ${other}`);
    uarts.set(wiring.port, what);
    claim(wiring.receive, `${what} RX`, false);
    claim(wiring.transmit, `${what} TX`, true);
  };

  for (const bus of site.buses) {
    const what = `bus '${bus.id}'`;
    // Moddable's ESP32 serial has no parity or stop-bit setting: a bus that needs them cannot run here.
    if (bus.parity !== 'none' || (bus.dataBits ?? 8) !== 8 || bus.stopBits !== 1) {
      problems.push(`${what} runs ${bus.dataBits ?? 8}${bus.parity[0].toUpperCase()}${bus.stopBits}; Moddable's ESP32 serial is 8N1 only (reconfigure the devices to 8N1, or move the bus to a host with parity)`);
    }
    const wiring = board.buses[bus.id];
    if (wiring === undefined) {
      problems.push(`${what} has no wiring in the board config (add buses["${bus.id}"]: { port, receive, transmit, direction })`);
      continue;
    }
    claimUart(wiring, what);
    claim(wiring.direction, `${what} DE/RE`, true);
  }
  for (const id of Object.keys(board.buses)) {
    if (!site.buses.some((bus) => bus.id === id)) warnings.push(`board wiring for bus '${id}' is unused: the site has no such bus`);
  }

  if (board.modem !== undefined) claimUart(board.modem, 'the NB-IoT modem');
  if (board.radio !== undefined) for (const [pin, what, output] of radioPins(board.radio)) claim(pin, what, output);

  for (const output of site.outputs ?? []) {
    const what = `output '${output.id}'`;
    const wiring = board.outputs[output.id];
    if (wiring === undefined) {
      problems.push(`${what} has no pin in the board config (add outputs["${output.id}"]: { pin })`);
      continue;
    }
    claim(wiring.pin, what, true);
    if (output.pin !== undefined && output.pin !== wiring.pin) {
      warnings.push(`${what}: the site says pin ${String(output.pin)}, the board config GPIO ${wiring.pin}; the ESP32 uses the board config`);
    }
  }
  for (const id of Object.keys(board.outputs)) {
    if (!(site.outputs ?? []).some((output) => output.id === id)) warnings.push(`board wiring for output '${id}' is unused: the site has no such output`);
  }

  const uplink = site.uplink;
  if (uplink.kind === 'lorawan') {
    problems.push(...radioBoardProblems(uplink, board.radio, board.lorawan));
  } else if (uplink.kind !== 'nbiot') {
    problems.push(`the site's uplink is '${uplink.kind}'; this firmware sends over NB-IoT or LoRaWAN (set uplink to { "kind": "nbiot", "transport": "udp", "host": …, "port": … } or a lorawan uplink with a board radio)`);
  } else {
    if (board.modem === undefined) problems.push('the site sends over NB-IoT and the board config has no modem (add modem: { port, receive, transmit })');
    if (uplink.host === undefined) problems.push('the site\'s NB-IoT uplink has no host');
    if (uplink.transport !== 'coap' && uplink.port === undefined) problems.push(`the site's NB-IoT ${uplink.transport} uplink has no port`);
    if (uplink.transport === 'mqtt' && board.uplink?.mqtt === undefined) problems.push('the site uses NB-IoT MQTT: the board config needs uplink.mqtt { clientId, topic }');
  }
  return { problems, warnings };
}

/** Every pin of the radio: SPI lines and the chip's lines, with what they are and whether the ESP32 drives them. */
function radioPins(radio: RadioWiring): Array<[number | undefined, string, boolean]> {
  return [
    [radio.spi.clock, 'radio SCK', true], [radio.spi.out, 'radio MOSI', true], [radio.spi.in, 'radio MISO', false], [radio.spi.select, 'radio NSS', true],
    [radio.pins.busy, 'radio BUSY', false], [radio.pins.dio1, 'radio DIO1', false], [radio.pins.dio0, 'radio DIO0', false], [radio.pins.reset, 'radio RESET', true],
  ];
}

/** The NbIotUplink transport the site's uplink names (checkBoard has made sure it is complete). */
export function nbiotTransport(site: SiteFile, board: BoardConfig): NbIotTransportConfig {
  return siteNbIotTransport(site.uplink, board.uplink?.mqtt);
}

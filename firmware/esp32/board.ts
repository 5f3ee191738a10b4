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
  modem: ModemWiring;
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

/** GPIOs an ESP32-WROOM module must not drive: 6–11 are the flash, 34–39 are input only. */
const FLASH_PINS = new Set([6, 7, 8, 9, 10, 11]);
const INPUT_ONLY = new Set([34, 35, 36, 37, 38, 39]);

export interface BoardCheck {
  problems: string[];
  warnings: string[];
}

/** Everything wrong with `board` for `site`, and what deserves a look. Pure. */
export function checkBoard(site: SiteFile, board: BoardConfig): BoardCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const claimed = new Map<number, string>();
  const claim = (pin: number | undefined, what: string, output: boolean): void => {
    if (pin === undefined) return;
    if (!Number.isInteger(pin) || pin < 0 || pin > 39) return void problems.push(`${what}: GPIO ${pin} is not an ESP32 pin (0–39)`);
    if (FLASH_PINS.has(pin)) problems.push(`${what}: GPIO ${pin} belongs to the SPI flash`);
    if (output && INPUT_ONLY.has(pin)) problems.push(`${what}: GPIO ${pin} is input-only`);
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

  claimUart(board.modem, 'the NB-IoT modem');

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
  if (uplink.kind !== 'nbiot') {
    problems.push(`the site's uplink is '${uplink.kind}'; this firmware sends over NB-IoT (set uplink to { "kind": "nbiot", "transport": "udp", "host": …, "port": … })`);
  } else {
    if (uplink.host === undefined) problems.push('the site\'s NB-IoT uplink has no host');
    if (uplink.transport !== 'coap' && uplink.port === undefined) problems.push(`the site's NB-IoT ${uplink.transport} uplink has no port`);
    if (uplink.transport === 'mqtt' && board.uplink?.mqtt === undefined) problems.push('the site uses NB-IoT MQTT: the board config needs uplink.mqtt { clientId, topic }');
  }
  return { problems, warnings };
}

/** The NbIotUplink transport the site's uplink names (checkBoard has made sure it is complete). */
export function nbiotTransport(site: SiteFile, board: BoardConfig): NbIotTransportConfig {
  return siteNbIotTransport(site.uplink, board.uplink?.mqtt);
}

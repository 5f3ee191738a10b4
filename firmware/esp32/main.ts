/**
 * The ESP32 application: the Axon gateway core (drivers/) on Moddable XS, on
 * the site and board wiring compiled into the firmware (`site-config`, made by
 * compile-site.ts), reporting over an NB-IoT modem or, when the site's uplink
 * is LoRaWAN, the board's SX126x/SX127x radio (uplink-links.ts).
 *
 *   RS-485 bus ─ UART2 + DE/RE ─► Rs485SerialStream ─┐
 *   relays, buzzer ◄─ GPIO ◄─ ModdableDigitalOutput ◄─┤
 *   NVS ◄─► PreferenceStore (alarm state, counters)  ─┼─ Gateway ─► SequencedUplink ─► NbIotUplink ─► NbIotModem ─ UART1 ─► BC28
 *   littlefs ◄─► LittleFsFileSystem (the log)        ─┘
 *
 * Moddable calls the module's default export after loading `main`, so nothing
 * runs at load time, which is what lets XS preload a module into flash. The
 * site config is preloaded; main and the core it bundles are not yet, because
 * the core mutates two built-ins it creates at load time (README, "Preload").
 */
import config from 'mc/config';
import { Directory, System } from 'file';
import Time from 'time';
import { board, manifests, site, source } from 'site-config';
import { Gateway, type GatewayEvent } from '../../drivers/gateway/gateway.js';
import { describeEvent } from '../../drivers/gateway/event-text.js';
import { seededRandom, type LoraWanMac } from '../../drivers/lorawan/mac/index.js';
import type { NbIotModem } from '../../drivers/nbiot/modem.js';
import type { NbIotUplink } from '../../drivers/nbiot/uplink.js';
import type { DigitalOutput } from '../../drivers/ports/digital.js';
import type { BusWiring } from './board.js';
import { log } from './log.js';
import { logCapacity } from './log-capacity.js';
import { networkTimeMs } from './network-time.js';
import { ModdableDigitalOutput } from './ports/digital-output.js';
import { LittleFsFileSystem } from './ports/littlefs-file-system.js';
import { ModdableClock } from './ports/moddable-clock.js';
import { PreferenceStore } from './ports/preference-store.js';
import { Rs485SerialStream } from './ports/rs485-serial.js';
import { wallClockMs } from './ports/wall-clock.js';
import { startLoraWanLink, startNbIotLink } from './uplink-links.js';

/** What main() built; Moddable ignores it, a test or an xsbug session can inspect it. */
export interface Esp32Gateway {
  gateway: Gateway;
  /** NB-IoT sites. */
  modem?: NbIotModem;
  uplink?: NbIotUplink;
  /** LoRaWAN sites. */
  mac?: LoraWanMac;
}

export default function main(): Esp32Gateway {
  // First: a log that cannot fit the mounted partition is a boot error with the fix.
  let storeCapacityBytes: number;
  try {
    storeCapacityBytes = logCapacity(System.info().total, board.gateway?.storeCapacityBytes);
  } catch (error) {
    log(`boot failed: ${(error as Error).message}`);
    throw error;
  }
  const clock = new ModdableClock();
  const meta = new PreferenceStore('axon');
  const link = site.uplink.kind === 'lorawan'
    ? startLoraWanLink(site, board, clock, meta)
    : startNbIotLink(site, board, clock, meta, (modem) => void setClockFromNetwork(modem));
  log(`${source.site} on ${board.name}: ${site.buses.reduce((n, bus) => n + bus.devices.length, 0)} devices, ${link.describe}`);

  const outputs: Record<string, DigitalOutput> = {};
  for (const output of site.outputs ?? []) {
    const wiring = board.outputs[output.id];
    outputs[output.id] = new ModdableDigitalOutput({ pin: wiring.pin, activeLow: wiring.activeLow });
  }

  const gateway = new Gateway({
    site,
    manifests,
    clock,
    openPort: (bus) => openBus(board.buses[bus.id], bus.baud, clock),
    files: new LittleFsFileSystem(logDirectory()),
    meta,
    outputs,
    uplink: link.port,
    flushEveryMs: board.gateway?.flushEveryMs,
    statusEveryMs: board.gateway?.statusEveryMs,
    storeCapacityBytes,
    // The jitter of alert copies: seeded per device, so the gateways of a district do not send them in step.
    random: seededRandom(seedOf(`${board.lorawan?.devEui ?? source.site}@${clock.unixTimeMs()}`)),
    onEvent: logEvent,
  });
  // Start at once, coverage or not: local alarms must not wait for the network; the log keeps what cannot be sent yet.
  gateway.start();
  return { gateway, modem: link.modem, uplink: link.nbiot, mac: link.mac };
}

/** FNV-1a of a text: a seed that differs from device to device. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function openBus(wiring: BusWiring, baud: number, clock: ModdableClock): Rs485SerialStream {
  return new Rs485SerialStream({ port: wiring.port, receivePin: wiring.receive, transmitPin: wiring.transmit, directionPin: wiring.direction, baud, clock });
}

/** The log's directory under Moddable's file root, created on first boot (Moddable's littlefs Directory.create ignores an existing one). */
function logDirectory(): string {
  const name = (board.logDirectory ?? 'axon/').replace(/\/+$/, '');
  // Without the trailing '/': littlefs's mkdir does not take one.
  Directory.create(config.file.root + name);
  return `${config.file.root}${name}/`;
}

async function setClockFromNetwork(modem: NbIotModem): Promise<void> {
  try {
    const ms = await networkTimeMs(modem);
    if (ms === undefined) return log('network time not available yet');
    const offS = Math.round((ms - wallClockMs()) / 1000);
    Time.set(Math.round(ms / 1000));
    log(`clock set from the network: ${new Date(ms).toISOString()} (${offS >= 0 ? '+' : ''}${offS} s)`);
  } catch (error) {
    log(`network time failed: ${(error as Error).message}`);
  }
}

function logEvent(event: GatewayEvent): void {
  const line = describeEvent(event);
  if (line !== undefined) log(line);
}

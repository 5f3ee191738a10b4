/**
 * The ESP32's two uplinks, chosen by the site: NB-IoT through a BC28/BC95 on
 * a UART (with persistent sequence ids and network time from the modem), or
 * LoRaWAN through the board's SX126x/SX127x and the core's class A MAC
 * (frame counters and session in NVS).
 */
import type { SiteFile } from '../../drivers/gateway/site.js';
import { credentialsFromHex } from '../../drivers/lorawan/mac/hex-credentials.js';
import { LoraWanMac, LoraWanUplink } from '../../drivers/lorawan/mac/index.js';
import { createRegion } from '../../drivers/lorawan/regions/index.js';
import { NbIotModem } from '../../drivers/nbiot/modem.js';
import { NbIotUplink } from '../../drivers/nbiot/uplink.js';
import type { Clock } from '../../drivers/ports/clock.js';
import type { KeyValueStore } from '../../drivers/ports/storage.js';
import type { UplinkPort } from '../../drivers/ports/uplink.js';
import { nbiotTransport, type BoardConfig } from './board.js';
import { log } from './log.js';
import { ModdableBlockCipher } from './ports/moddable-cipher.js';
import { Rs485SerialStream } from './ports/rs485-serial.js';
import { openBoardRadio } from './radio.js';
import { PersistentSequence, SequencedUplink } from './sequence.js';

export interface UplinkLink {
  port: UplinkPort;
  /** For the boot log. */
  describe: string;
  modem?: NbIotModem;
  nbiot?: NbIotUplink;
  mac?: LoraWanMac;
}

export function startNbIotLink(site: SiteFile, board: BoardConfig, clock: Clock, meta: KeyValueStore, onReady: (modem: NbIotModem) => void): UplinkLink {
  const wiring = board.modem;
  if (wiring === undefined) throw new Error('the board config has no modem (compile-site checks this)');
  const transport = nbiotTransport(site, board);
  // The modem's UART is a plain one: the stream without a direction pin.
  const modem = new NbIotModem({
    stream: new Rs485SerialStream({ port: wiring.port, receivePin: wiring.receive, transmitPin: wiring.transmit, baud: wiring.baud ?? 9600, clock }),
    clock,
    attach: wiring.attach,
    attachDeadlineMs: wiring.attachDeadlineMs,
    psm: wiring.psm,
    engine: { where: `UART${wiring.port}` },
  });
  const sequence = new PersistentSequence(meta);
  const nbiot = new NbIotUplink({ modem, transport, firstSequence: sequence.first, ackTimeoutMs: board.uplink?.ackTimeoutMs, attempts: board.uplink?.attempts });
  modem.onStateChange = (state) => {
    log(`modem ${state}`);
    // Every (re)attach is a chance to correct the clock; the first one sets it.
    if (state === 'ready') onReady(modem);
  };
  return { port: new SequencedUplink(nbiot, sequence), describe: `NB-IoT ${transport.kind} to ${transport.host}:${String(transport.port ?? '')}`, modem, nbiot };
}

export function startLoraWanLink(site: SiteFile, board: BoardConfig, clock: Clock, meta: KeyValueStore): UplinkLink {
  const uplink = site.uplink;
  const wiring = board.radio;
  if (uplink.kind !== 'lorawan' || wiring === undefined) throw new Error('the site is not LoRaWAN or the board has no radio (compile-site checks this)');
  const region = createRegion(uplink.region);
  const credentials = credentialsFromHex(uplink.activation, board.lorawan ?? {});
  const mac = new LoraWanMac({
    region,
    radio: openBoardRadio(wiring, clock),
    clock,
    cipher: new ModdableBlockCipher(),
    store: meta,
    credentials,
    dataRate: uplink.dataRate,
    adr: uplink.adr ?? true,
    onEvent: (event) => {
      if (event.type === 'joined') log(`LoRaWAN joined, DevAddr ${event.devAddr.toString(16).padStart(8, '0')}`);
      else if (event.type === 'join-request') log(`LoRaWAN join request ${event.attempt} at DR${event.dataRate}`);
    },
  });
  // Join at once: the gateway polls and alarms meanwhile; the log keeps what waits for the join.
  if (!mac.joined) mac.join().catch((error: unknown) => log(`LoRaWAN join failed: ${(error as Error).message}`));
  return { port: new LoraWanUplink(mac), describe: `LoRaWAN ${region.name} ${uplink.activation.toUpperCase()} through an ${wiring.type.toUpperCase()}`, mac };
}

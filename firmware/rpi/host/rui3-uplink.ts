/**
 * The LoRaWAN uplink through a RAK RUI3 module on a serial port (host config
 * "radio": { "type": "rui3", "port" }): the port reopens by itself after an
 * unplug, the driver (drivers/rui3) configures the module, joins in the
 * background and rejoins when the module lost its session.
 */
import type { SiteFile } from '../../../drivers/gateway/site.js';
import type { Clock } from '../../../drivers/ports/clock.js';
import { Rui3Uplink } from '../../../drivers/rui3/uplink.js';
import { ReconnectingStream, type ClosableByteStream } from '../ports/reconnecting-stream.js';
import { openSerialStream } from '../ports/serial-stream.js';
import type { Rui3RadioConfig } from './host-config.js';
import { outlivingLink, readSecret, type HostUplink } from './host-uplink.js';
import { rui3AppKey } from './rui3-config.js';

/** `openPort`: opens the module's serial port (default serialport on `radio.port`; a test watches the bytes on it). */
export function startRui3Uplink(uplink: Extract<SiteFile['uplink'], { kind: 'lorawan' }>, radio: Rui3RadioConfig, clock: Clock, log: (line: string) => void, openPort?: () => Promise<ClosableByteStream>): HostUplink {
  const baud = radio.baud ?? 115200;
  const stream = new ReconnectingStream({
    where: radio.port,
    line: { baud, dataBits: 8, parity: 'none', stopBits: 1 },
    open: openPort ?? (() => openSerialStream({ path: radio.port, baud })),
    onState: (state, error) => log(`radio port ${radio.port}: ${state}${error === undefined ? '' : ` (${error.message})`}`),
  });
  const rui3 = new Rui3Uplink({
    stream: outlivingLink(stream),
    clock,
    region: uplink.region,
    credentials: { devEui: radio.devEui, joinEui: radio.joinEui, appKey: rui3AppKey(radio, readSecret) },
    adr: uplink.adr,
    dataRate: uplink.dataRate,
    joinAttempts: radio.joinAttempts,
    sendTimeoutMs: radio.sendTimeoutMs,
    engine: { where: radio.port },
    onState: (state, error) => log(`radio rui3 ${state}${error === undefined ? '' : `: ${error.message}`}`),
  });
  rui3.start();
  return {
    port: rui3,
    describe: `LoRaWAN ${uplink.region} through the RUI3 module on ${radio.port} (${baud} 8N1)`,
    report: () => `rui3 ${rui3.state} DR${rui3.dataRate}, ${rui3.stats.sent} frames sent, ${rui3.stats.confirmedFailed} unacknowledged, ${rui3.stats.downlinks} downlinks`,
    async close() {
      rui3.close();
      stream.close(); // the engine leaves the port to its owner
    },
  };
}

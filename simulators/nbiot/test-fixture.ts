/**
 * Driver + simulated modem + acking server on an in-memory 9600 8N1 line in
 * virtual time: the setup every NB-IoT flow test starts from. Runtime-neutral.
 */
import { createStreamPair } from '../../drivers/ports/memory-stream.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import type { SerialLineSettings } from '../../drivers/ports/byte-stream.js';
import { NbIotModem, type NbIotModemOptions } from '../../drivers/nbiot/modem.js';
import { NbIotUplink, type NbIotUplinkOptions } from '../../drivers/nbiot/uplink.js';
import type { NbIotTransportConfig } from '../../drivers/nbiot/transports.js';
import { AxonAckServer } from './ack-server.js';
import { NbIotModemSimulator, type NbIotModemSimOptions } from './modem-sim.js';

export const MODEM_LINE: SerialLineSettings = { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 };
export const SERVER_IP = '203.0.113.10';
export const SERVER_PORT = 5684;

export interface NbIotFixtureOptions {
  sim?: Omit<NbIotModemSimOptions, 'stream' | 'clock'>;
  modem?: Omit<NbIotModemOptions, 'stream' | 'clock'>;
  transport?: NbIotTransportConfig;
  uplink?: Omit<NbIotUplinkOptions, 'modem' | 'transport'>;
}

export function nbiotFixture(options: NbIotFixtureOptions = {}) {
  const clock = new VirtualClock();
  const [driverSide, modemSide] = createStreamPair({ clock, line: MODEM_LINE });
  const sim = new NbIotModemSimulator({ stream: modemSide, clock, ...options.sim });
  const server = new AxonAckServer();
  sim.onUdp = server.udpHandler;
  sim.onPlatform = server.platformHandler;
  const modem = new NbIotModem({ stream: driverSide, clock, ...options.modem });
  const uplink = new NbIotUplink({
    modem,
    transport: options.transport ?? { kind: 'udp', host: SERVER_IP, port: SERVER_PORT },
    firstSequence: 100,
    ...options.uplink,
  });
  return { clock, sim, server, modem, uplink, driverSide, modemSide };
}

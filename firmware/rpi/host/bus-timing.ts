/**
 * Frame timing on the Pi's RS-485 buses. The host sets no floor of its own:
 * the core derives the gap per bus from its line settings, 3.5 character
 * times, 1.75 ms above 19,200 baud (Modbus over Serial Line §2.5.1.1,
 * interFrameDelayMs in drivers/modbus/rtu-master.ts). It is kept before every
 * request and ends a corrupted full-length reply.
 *
 * Until issue 11 the host held 20 ms instead, for USB adapters that hand bytes
 * over in bursts (an FTDI chip's latency timer is 16 ms). That capped a
 * 115,200-baud bus far below its wire rate, and it was not needed: a reply is
 * complete as soon as a CRC-valid frame of the expected length is in, however
 * it was cut up, and a partial reply waits for its timeout, never for a gap.
 */
import type { GatewayOptions } from '../../../drivers/gateway/gateway.js';

export type BusTiming = Pick<GatewayOptions, 'minQuietMs' | 'modbus'>;

/** The Gateway timing options of this host: none, so every bus gets the gap of its own line. */
export function hostBusTiming(): BusTiming {
  return {};
}

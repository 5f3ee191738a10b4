/**
 * The far side of the board's radio in the XS harness: the chip simulator the
 * board config names (SX126x or SX127x) on the board's SPI chip select and
 * lines, its RF front end on a simulated LoRa channel, and the MAC's test
 * network (drivers/lorawan/mac/test-support.ts) with the reference ack
 * service behind it, all on the harness clock. Runs inside XS.
 */
import type { BoardConfig } from '../board.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { fromHex, toHex } from '../../../drivers/bytes.js';
import { TestNetwork } from '../../../drivers/lorawan/mac/test-support.js';
import { JOIN_ACCEPT_DELAY1_MS, JOIN_ACCEPT_DELAY2_MS, RECEIVE_DELAY1_MS, RECEIVE_DELAY2_MS } from '../../../drivers/lorawan/mac/rx-windows.js';
import { createRegion } from '../../../drivers/lorawan/regions/index.js';
import { attachAckServiceToTestNetwork } from '../../../simulators/ack-service/test-network.js';
import { SimulatedLoraChannel, Sx126xChip, Sx127xChip, rxWindowOffsets, type ChipOutputLine } from '../../../simulators/radio/index.js';
import { host } from './host.js';

/** The DevAddr the test network gives the board at its join. */
export const BOARD_DEVADDR = 0x26000e5a;

export interface RadioReport {
  uplinks: Array<{ atMs: number; fCnt: number; fPort?: number; confirmed: boolean; hex: string }>;
  joinRequests: number;
  rxOffsets: Array<{ window: number; offsetMs: number; downlink: boolean; received: boolean }>;
  busyViolations: number;
  transmissions: number;
  problems: string[];
  dataAcks: number;
}

export function wireRadio(site: SiteFile, board: BoardConfig): () => RadioReport {
  const radio = board.radio;
  const keys = board.lorawan;
  if (site.uplink.kind !== 'lorawan' || radio === undefined || keys === undefined) throw new Error('wireRadio: a LoRaWAN site and a board with a radio and keys');
  const clock = host.clock;
  const channel = new SimulatedLoraChannel(clock, { seed: 32 });
  const network = new TestNetwork(channel, createRegion(site.uplink.region));
  network.addOtaaDevice(fromHex(keys.devEui ?? ''), fromHex(keys.appKey ?? ''), BOARD_DEVADDR);
  const acks = attachAckServiceToTestNetwork(network, BOARD_DEVADDR);
  const front = channel.createDeviceRadio({ id: 'esp32', pathLossDb: 110 });
  const chip = radio.type === 'sx1262' || radio.type === 'sx1268'
    ? new Sx126xChip({ clock, front, variant: radio.type, tcxo: radio.tcxo?.voltage, dio2RfSwitch: radio.dio2RfSwitch ?? true })
    : new Sx127xChip({ clock, front, variant: radio.type });
  host.spiDevices.set(radio.spi.select, chip.spi);
  const fromChip = (pin: number | undefined, line: ChipOutputLine | undefined) => {
    if (pin === undefined || line === undefined) return;
    const state = host.pin(pin);
    state.source = () => line.read();
    line.onReadable = () => state.rising?.();
  };
  if (chip instanceof Sx126xChip) {
    fromChip(radio.pins.busy, chip.busy);
    fromChip(radio.pins.dio1, chip.dio1);
  } else {
    fromChip(radio.pins.dio0, chip.dio0);
  }
  if (radio.pins.reset !== undefined) host.pin(radio.pins.reset).onDrive = (level) => chip.reset.write(level);
  return () => ({
    uplinks: network.uplinksOf(BOARD_DEVADDR).map((u) => ({ atMs: u.atMs, fCnt: u.fCnt, fPort: u.fPort, confirmed: u.confirmed, hex: toHex(u.payload) })),
    joinRequests: network.joinRequests.length,
    rxOffsets: rxWindowOffsets(channel, 'esp32', chip.rxWindows, { join: [JOIN_ACCEPT_DELAY1_MS, JOIN_ACCEPT_DELAY2_MS], data: [RECEIVE_DELAY1_MS, RECEIVE_DELAY2_MS] })
      .map((o) => ({ window: o.window, offsetMs: o.offsetMs, downlink: o.downlink, received: o.received })),
    busyViolations: chip instanceof Sx126xChip ? chip.busyViolations : 0,
    transmissions: chip.transmissions.filter((x) => x.onAir).length,
    problems: network.problems,
    dataAcks: acks.acks.length,
  });
}

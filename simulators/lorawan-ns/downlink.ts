/**
 * Class A downlinks: when the two receive windows open after an uplink, on
 * which frequency and data rate, and the data frame that goes in them. Frames
 * are built by our encoder and checked by lora-packet (MIC with the full
 * 32-bit FCntDown, and the payload decrypting back) before they leave, so a
 * device-side decoder is tested against frames an independent implementation
 * agrees with (every frame by default; a sample in a large fleet, FrameCrypto).
 */
import type { BlockCipher } from '../../drivers/ports/block-cipher.js';
import { concatBytes } from '../../drivers/bytes.js';
import { encodeDataFrame } from '../../drivers/lorawan/data-frame.js';
import { MAX_FOPTS } from '../../drivers/lorawan/fhdr.js';
import type { Region } from '../../drivers/lorawan/regions/types.js';
import { dataRateOf } from './adr.js';
import type { QueuedDownlink } from './downlink-queue.js';
import type { FrameCrypto } from './frame-crypto.js';
import type { DeviceState, Session } from './registry.js';
import type { TxWindow, UplinkRxInfo } from './types.js';

/** LoRaWAN 1.0 JOIN_ACCEPT_DELAY1/2, s. */
const JOIN_ACCEPT_DELAY_S = 5;

export interface WindowOptions {
  /** Which window to try first (default rx1); the other is the fallback. */
  prefer?: 'rx1' | 'rx2';
}

/** RX1 and RX2 for a reply to `rx`: data frames after the session's RX1 delay, join accepts after 5 s. */
export function receiveWindows(region: Region, rx: UplinkRxInfo, timing: { rx1DelayS: number; rx1DrOffset: number } | 'join', options: WindowOptions = {}): TxWindow[] {
  const rx1DelayS = timing === 'join' ? JOIN_ACCEPT_DELAY_S : timing.rx1DelayS;
  const offset = timing === 'join' ? 0 : timing.rx1DrOffset;
  const windows: TxWindow[] = [];
  const uplinkDr = dataRateOf(region, rx.sf, rx.bw);
  if (uplinkDr !== undefined) {
    const rx1 = region.rx1(uplinkDr, offset, rx.frequency);
    windows.push(window(region, rx, 'rx1', rx1DelayS * 1000, rx1.frequency, rx1.dataRate));
  }
  const rx2 = region.rx2Default();
  windows.push(window(region, rx, 'rx2', (rx1DelayS + 1) * 1000, rx2.frequency, rx2.dataRate));
  return options.prefer === 'rx2' ? windows.reverse() : windows;
}

function window(region: Region, rx: UplinkRxInfo, name: 'rx1' | 'rx2', delayMs: number, frequency: number, dataRate: number): TxWindow {
  const rate = region.dataRate(dataRate);
  if (rate.modulation !== 'lora') throw new RangeError(`${region.name} DR${dataRate} is not LoRa; the simulator sends LoRa downlinks only`);
  // The concentrator counter wraps at 2^32 µs (about 71 minutes).
  const tmst = (rx.tmst + delayMs * 1000) % 2 ** 32;
  return { window: name, tmst, delayMs, frequency, dataRate, sf: rate.sf, bw: rate.bw, powerDbm: region.maxEirpDbm };
}

/** FRMPayload + FOpts that fit every window of the plan (the fallback reuses the same frame). */
export function maxAppPayload(region: Region, windows: readonly TxWindow[]): number {
  return Math.min(...windows.map((w) => region.maxPayload(w.dataRate)));
}

export interface BuiltFrame {
  phyPayload: Uint8Array;
  fCntDown: number;
  /** The application item it carries, if any (removed from the queue). */
  item?: QueuedDownlink;
}

export interface BuildResult {
  /** Undefined when there is nothing to say. */
  frame: BuiltFrame | undefined;
  /** An application item too large for these windows, dropped: it would block the queue forever. */
  dropped: QueuedDownlink | undefined;
}

export interface BuildOptions {
  /** Set FCtrl.ACK: the uplink was confirmed. */
  ack: boolean;
  /** Send a frame even with nothing queued (the device set ADRACKReq). */
  force?: boolean;
  /** FCtrl.ADR: the network runs ADR for this device. */
  adr: boolean;
  /** Largest FRMPayload the windows allow, FOpts not yet subtracted. */
  maxPayload: number;
  /** Checks the built frame with lora-packet (every frame, or a sample). */
  crypto: FrameCrypto;
}

/** The next downlink for `device` from its queue: MAC commands in FOpts, then the oldest application item that fits. */
export function buildDataDownlink(cipher: BlockCipher, device: DeviceState, session: Session, options: BuildOptions): BuildResult {
  const queue = device.queue;
  const fOpts = concatBytes(...queue.takeMac(MAX_FOPTS));
  let dropped: QueuedDownlink | undefined;
  let item = queue.shiftApp();
  if (item !== undefined && item.data.length > options.maxPayload - fOpts.length) {
    dropped = item;
    item = undefined;
  }
  if (item === undefined && fOpts.length === 0 && !options.ack && options.force !== true) return { frame: undefined, dropped };

  const fCntDown = session.fCntDown;
  const fields = {
    mType: item?.confirmed === true ? ('confirmed-data-down' as const) : ('unconfirmed-data-down' as const),
    devAddr: session.devAddr,
    fCnt: fCntDown,
    fCtrl: { ack: options.ack, adr: options.adr, fPending: queue.appLength > 0 || queue.macLength > 0 },
    fOpts,
    ...(item === undefined ? {} : { fPort: item.fPort, payload: item.data }),
  };
  const phyPayload = encodeDataFrame(cipher, fields, session.keys);
  options.crypto.checkDownlink(phyPayload, session.keys, session.devAddr, fCntDown, item?.data);
  session.fCntDown = (fCntDown + 1) % 2 ** 32;
  if (item?.confirmed === true) session.awaitingAck = { fCntDown, queueItemId: item.id };
  const frame: BuiltFrame = { phyPayload, fCntDown };
  if (item !== undefined) frame.item = item;
  return { frame, dropped };
}

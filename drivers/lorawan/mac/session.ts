/**
 * A LoRaWAN 1.0.x session: the address and keys frames are made with, and
 * the receive-window settings the join accept (or ABP provisioning) fixed.
 * Radio settings that ADR changes (DR, power, mask) are not part of it: they
 * start over from the defaults after a reboot and ADR converges again.
 */
import type { SessionKeys } from '../data-frame.js';
import type { RxWindow } from '../regions/index.js';
import { readUintLE, writeUintLE } from '../wire.js';

export interface Session {
  activation: 'otaa' | 'abp';
  devAddr: number;
  keys: SessionKeys;
  /** OTAA: the DevNonce of the join that made this session (ties the frame counters to it). */
  devNonce?: number;
  rx1DrOffset: number;
  rx2: RxWindow;
  /** RECEIVE_DELAY1 in ms (1000 by default; join accept RxDelay / RXTimingSetupReq change it). */
  rx1DelayMs: number;
  /** The join accept's CFList, re-applied after a reboot. */
  cfList?: Uint8Array;
}

/**
 * Counters belong to one session: ABP by DevAddr, OTAA by the join's
 * DevNonce. A stored counter with another tag is from an older session and
 * is ignored, so a power cut between writing a new session and resetting
 * the counters can never make the old counters apply to the new keys.
 */
export function sessionTag(session: Session): number {
  return session.activation === 'otaa' ? 0x1_0000_0000 + (session.devNonce ?? 0) : session.devAddr;
}

const VERSION = 1;
const FIXED = 1 + 4 + 16 + 16 + 2 + 1 + 1 + 4 + 1;

/** Bytes for the KeyValueStore (OTAA sessions only: ABP sessions come from provisioning). */
export function encodeSession(session: Session): Uint8Array {
  const out = new Uint8Array(FIXED + (session.cfList?.length ?? 0));
  out[0] = VERSION;
  writeUintLE(out, 1, session.devAddr, 4);
  out.set(session.keys.nwkSKey, 5);
  out.set(session.keys.appSKey, 21);
  writeUintLE(out, 37, session.devNonce ?? 0, 2);
  out[39] = session.rx1DrOffset;
  out[40] = session.rx2.dataRate;
  writeUintLE(out, 41, Math.round(session.rx2.frequency / 100), 4);
  out[45] = Math.round(session.rx1DelayMs / 1000);
  if (session.cfList !== undefined) out.set(session.cfList, FIXED);
  return out;
}

/** The stored session, or undefined when the bytes are not one this version wrote. */
export function decodeSession(bytes: Uint8Array): Session | undefined {
  if (bytes.length !== FIXED && bytes.length !== FIXED + 16) return undefined;
  if (bytes[0] !== VERSION) return undefined;
  const session: Session = {
    activation: 'otaa',
    devAddr: readUintLE(bytes, 1, 4),
    keys: { nwkSKey: bytes.slice(5, 21), appSKey: bytes.slice(21, 37) },
    devNonce: readUintLE(bytes, 37, 2),
    rx1DrOffset: bytes[39],
    rx2: { dataRate: bytes[40], frequency: readUintLE(bytes, 41, 4) * 100 },
    rx1DelayMs: Math.max(1, bytes[45]) * 1000,
  };
  if (bytes.length > FIXED) session.cfList = bytes.slice(FIXED);
  return session;
}

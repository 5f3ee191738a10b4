/**
 * Accepting a data uplink: find the session by DevAddr, recover the 32-bit
 * frame counter, verify the MIC and decrypt (FrameCrypto: our core on every
 * frame, lora-packet as well on a sample), and sort
 * repeats into duplicates (another gateway heard the same frame), confirmed
 * retransmissions (the device missed our ACK: answer again, deliver once) and
 * replays (rejected).
 *
 * Counter recovery: the frame carries 16 bits. The first counter at or after
 * the last accepted one with those bits is tried (this crosses 65,535 → 65,536
 * without help); a frame that only verifies with the counter *below* the last
 * accepted one is an old frame played again.
 */
import { bytesEqual } from '../../drivers/bytes.js';
import { expandFCnt, type DataFrame } from '../../drivers/lorawan/data-frame.js';
import type { FrameCrypto } from './frame-crypto.js';
import { parseUplinkMacCommands, type UplinkMacCommand } from './mac-commands.js';
import type { DeviceRegistry, DeviceState, Session } from './registry.js';

export type UplinkRejection = 'unknown-device' | 'mic' | 'replay';

export type UplinkOutcome =
  | {
      ok: true;
      /**
       * new: deliver; retransmission: a confirmed frame again after our ACK was lost; duplicate: the same reception twice;
       * repetition: an unconfirmed frame sent again (NbTrans, or an alert's second copy) whose first copy arrived: not delivered twice.
       */
      kind: 'new' | 'retransmission' | 'duplicate' | 'repetition';
      device: DeviceState;
      session: Session;
      fCnt: number;
      /** Decrypted FRMPayload (MAC commands when FPort is 0). */
      payload: Uint8Array;
      macCommands: UplinkMacCommand[];
      macProblem?: string;
    }
  | { ok: false; reason: UplinkRejection; detail: string; device?: DeviceState };

export interface UplinkOptions {
  /** Same bytes again within this many ms is one transmission heard twice (default 200, ChirpStack's deduplication delay). */
  dedupWindowMs?: number;
}

export function acceptUplink(registry: DeviceRegistry, frame: DataFrame, nowMs: number, crypto: FrameCrypto, options: UplinkOptions = {}): UplinkOutcome {
  const devices = registry.byDevAddr(frame.devAddr).filter((d) => d.session !== undefined);
  if (devices.length === 0) return { ok: false, reason: 'unknown-device', detail: 'no active session has this DevAddr' };
  const phy = frame.phyPayload;
  for (const device of devices) {
    const session = device.session as Session;
    const previous = session.lastUplink;
    if (previous !== undefined && session.lastFCntUp !== undefined && bytesEqual(previous.phy, phy)) {
      return repeated(device, session, frame, session.lastFCntUp, nowMs, options);
    }
  }
  let replayOf: DeviceState | undefined;
  for (const device of devices) {
    const session = device.session as Session;
    const last = session.lastFCntUp;
    const fCnt = last === undefined ? frame.fCnt16 : expandFCnt(frame.fCnt16, last);
    if (crypto.verifyDataMic(frame, session.keys.nwkSKey, fCnt)) {
      if (last !== undefined && fCnt === last) return repeated(device, session, frame, fCnt, nowMs, options);
      return accept(device, session, frame, fCnt, nowMs, 'new', crypto);
    }
    if (last !== undefined && fCnt - 0x10000 >= 0 && crypto.verifyDataMic(frame, session.keys.nwkSKey, fCnt - 0x10000)) replayOf = device;
  }
  if (replayOf !== undefined) {
    return { ok: false, reason: 'replay', detail: `frame counter is behind the last accepted (${replayOf.session?.lastFCntUp})`, device: replayOf };
  }
  return { ok: false, reason: 'mic', detail: `MIC does not verify with the NwkSKey of any session on this DevAddr (FCnt16 ${frame.fCnt16})`, device: devices.length === 1 ? devices[0] : undefined };
}

function repeated(device: DeviceState, session: Session, frame: DataFrame, fCnt: number, nowMs: number, options: UplinkOptions): UplinkOutcome {
  const previous = session.lastUplink;
  if (previous !== undefined && bytesEqual(previous.phy, frame.phyPayload)) {
    if (nowMs - previous.atMs <= (options.dedupWindowMs ?? 200)) return accept(device, session, frame, fCnt, nowMs, 'duplicate', undefined);
    if (frame.confirmed) return accept(device, session, frame, fCnt, nowMs, 'retransmission', undefined);
    return accept(device, session, frame, fCnt, nowMs, 'repetition', undefined);
  }
  return { ok: false, reason: 'replay', detail: `frame counter ${fCnt} was already accepted`, device };
}

/** `crypto` decrypts a new frame; a repeat is the same bytes as the last accepted, whose clear payload is kept. */
function accept(device: DeviceState, session: Session, frame: DataFrame, fCnt: number, nowMs: number, kind: 'new' | 'retransmission' | 'duplicate' | 'repetition', crypto: FrameCrypto | undefined): UplinkOutcome {
  const payload = crypto !== undefined ? crypto.decryptData(frame, session.keys, fCnt) : (session.lastUplink as { payload: Uint8Array }).payload;
  if (kind === 'new') {
    session.lastFCntUp = fCnt;
    session.lastUplink = { phy: frame.phyPayload, atMs: nowMs, payload };
  } else if (kind !== 'duplicate' && session.lastUplink !== undefined) {
    // A later retransmission is compared with this one for duplicate detection.
    session.lastUplink.atMs = nowMs;
  }
  // FOpts and an FPort 0 payload are exclusive (the parser rejects both at once).
  const mac = parseUplinkMacCommands(frame.fPort === 0 ? payload : frame.fOpts);
  const outcome: UplinkOutcome = { ok: true, kind, device, session, fCnt, payload, macCommands: mac.commands };
  if (mac.problem !== undefined) outcome.macProblem = mac.problem;
  return outcome;
}

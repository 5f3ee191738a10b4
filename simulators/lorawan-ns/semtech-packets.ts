/**
 * Semtech UDP packet-forwarder protocol (PROTOCOL.TXT v2), the messages
 * only: a 4-byte header (version, 16-bit token, identifier), the gateway EUI
 * on gateway → server messages, then JSON. Uplinks arrive as `rxpk` objects
 * in PUSH_DATA; downlinks go out as a `txpk` in PULL_RESP, timed on the
 * concentrator counter (`tmst`), and the gateway answers with TX_ACK.
 */
import { toHex } from '../../drivers/bytes.js';
import type { ReceivedFrame, TxWindow } from './types.js';

export const PKT = { PUSH_DATA: 0, PUSH_ACK: 1, PULL_DATA: 2, PULL_RESP: 3, PULL_ACK: 4, TX_ACK: 5 } as const;

export type GatewayMessage =
  | { type: 'PUSH_DATA'; version: number; token: number; gatewayId: string; json: unknown }
  | { type: 'PULL_DATA'; version: number; token: number; gatewayId: string }
  | { type: 'TX_ACK'; version: number; token: number; gatewayId: string; /** "NONE" when sent; TX_ACK without JSON means success too. */ error: string };

/** Parse what a gateway sends; throws RangeError for anything else (the server counts and drops it). */
export function parseGatewayMessage(bytes: Uint8Array): GatewayMessage {
  if (bytes.length < 12) throw new RangeError(`${bytes.length} bytes is shorter than a gateway message header (12)`);
  const version = bytes[0];
  if (version !== 1 && version !== 2) throw new RangeError(`protocol version ${version} (1 and 2 are supported)`);
  const token = (bytes[1] << 8) | bytes[2];
  const gatewayId = toHex(bytes.subarray(4, 12));
  const json = () => {
    const text = Buffer.from(bytes.subarray(12)).toString('utf8').replace(/\0+$/, '');
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  };
  switch (bytes[3]) {
    case PKT.PUSH_DATA:
      return { type: 'PUSH_DATA', version, token, gatewayId, json: json() };
    case PKT.PULL_DATA:
      return { type: 'PULL_DATA', version, token, gatewayId };
    case PKT.TX_ACK: {
      const body = json() as { txpk_ack?: { error?: unknown } } | undefined;
      const error = body?.txpk_ack?.error;
      return { type: 'TX_ACK', version, token, gatewayId, error: typeof error === 'string' ? error : 'NONE' };
    }
    default:
      throw new RangeError(`identifier 0x${bytes[3].toString(16)} is not a gateway → server message`);
  }
}

/** PUSH_ACK / PULL_ACK: the header only, echoing the token. */
export function encodeAck(type: typeof PKT.PUSH_ACK | typeof PKT.PULL_ACK, version: number, token: number): Uint8Array {
  return Uint8Array.of(version, token >> 8, token & 0xff, type);
}

export function encodePullResp(version: number, token: number, txpk: Txpk): Uint8Array {
  const json = Buffer.from(JSON.stringify({ txpk }), 'utf8');
  // Version 1 has no token in PULL_RESP (zeroes); version 2 uses it to match TX_ACK.
  const out = new Uint8Array(4 + json.length);
  out.set([version, version === 1 ? 0 : token >> 8, version === 1 ? 0 : token & 0xff, PKT.PULL_RESP]);
  out.set(json, 4);
  return out;
}

export interface Txpk {
  imme: boolean;
  tmst: number;
  /** MHz. */
  freq: number;
  rfch: number;
  powe: number;
  modu: 'LORA';
  datr: string;
  codr: string;
  /** Downlinks use inverted IQ so devices never hear each other's uplinks. */
  ipol: boolean;
  size: number;
  data: string;
  /** LoRaWAN downlinks carry no payload CRC. */
  ncrc: boolean;
}

export function txpkFor(window: TxWindow, phyPayload: Uint8Array): Txpk {
  return {
    imme: false,
    tmst: window.tmst,
    freq: Number((window.frequency / 1e6).toFixed(6)),
    rfch: 0,
    powe: window.powerDbm,
    modu: 'LORA',
    datr: `SF${window.sf}BW${window.bw}`,
    codr: '4/5',
    ipol: true,
    size: phyPayload.length,
    data: Buffer.from(phyPayload).toString('base64'),
    ncrc: true,
  };
}

export type RxpkResult = { ok: true; frame: ReceivedFrame } | { ok: false; reason: 'crc' | 'not-lora' | 'malformed'; detail: string };

const DATR = /^SF(7|8|9|10|11|12)BW(125|250|500)$/;

/** One rxpk object → a frame for the network server, or why it is not one. */
export function rxpkToFrame(rxpk: unknown, gatewayId: string): RxpkResult {
  if (typeof rxpk !== 'object' || rxpk === null) return { ok: false, reason: 'malformed', detail: 'rxpk entry is not an object' };
  const r = rxpk as Record<string, unknown>;
  if (r.stat !== 1) return { ok: false, reason: 'crc', detail: `stat ${String(r.stat)} (the radio CRC did not check)` };
  if (r.modu !== 'LORA') return { ok: false, reason: 'not-lora', detail: `modulation ${String(r.modu)}` };
  const datr = typeof r.datr === 'string' ? DATR.exec(r.datr) : null;
  if (datr === null) return { ok: false, reason: 'malformed', detail: `datr ${JSON.stringify(r.datr)} is not SF7–12 at BW125/250/500` };
  for (const field of ['tmst', 'freq', 'rssi', 'lsnr'] as const) {
    if (typeof r[field] !== 'number' || !Number.isFinite(r[field])) return { ok: false, reason: 'malformed', detail: `${field} is not a number` };
  }
  if (typeof r.data !== 'string') return { ok: false, reason: 'malformed', detail: 'data is not a base64 string' };
  const phyPayload = new Uint8Array(Buffer.from(r.data, 'base64'));
  if (typeof r.size === 'number' && r.size !== phyPayload.length) return { ok: false, reason: 'malformed', detail: `size ${r.size} but data holds ${phyPayload.length} bytes` };
  const frame: ReceivedFrame = {
    phyPayload,
    rx: {
      gatewayId,
      tmst: (r.tmst as number) >>> 0,
      frequency: Math.round((r.freq as number) * 1e6),
      sf: Number(datr[1]),
      bw: Number(datr[2]) as 125 | 250 | 500,
      codeRate: typeof r.codr === 'string' ? r.codr : '4/5',
      rssi: r.rssi as number,
      snr: r.lsnr as number,
    },
  };
  if (typeof r.chan === 'number') frame.rx.channel = r.chan;
  if (typeof r.rfch === 'number') frame.rx.rfChain = r.rfch;
  if (typeof r.time === 'string') frame.rx.time = r.time;
  return { ok: true, frame };
}

/**
 * The RUI3 +EVT lines the LoRaWAN driver acts on, as typed events. Anything
 * else (+EVT:TXP2P_DONE, class B beacons, future events) is `other`.
 */
import { fromHex } from '../bytes.js';
import type { Urc } from '../nbiot/urc.js';

export type Rui3Event =
  | { type: 'joined' }
  /** "+EVT:JOIN_FAILED_RX_TIMEOUT" (no join accept), "+EVT:JOIN_FAILED_TX_TIMEOUT", "+EVT:JOIN_FAILED_<n>". */
  | { type: 'join-failed'; reason: string }
  /** An unconfirmed uplink is done (its receive windows closed). */
  | { type: 'tx-done' }
  | { type: 'send-confirmed-ok' }
  /** "+EVT:SEND_CONFIRMED_FAILED(4)": no ACK after every retransmission; the number is the MAC's status. */
  | { type: 'send-confirmed-failed'; status: number | undefined }
  /** "+EVT:RX_1:-70:8:UNICAST:2:1234": window, RSSI dBm, SNR dB, unicast or multicast, FPort, payload. */
  | { type: 'rx'; window: string; rssiDbm: number; snrDb: number; cast: string; port: number; payload: Uint8Array }
  | { type: 'other'; line: string };

export function parseRui3Event(urc: Urc): Rui3Event {
  const [head = '', ...rest] = urc.args;
  if (head === 'JOINED') return { type: 'joined' };
  if (head.startsWith('JOIN_FAILED')) return { type: 'join-failed', reason: head.slice('JOIN_FAILED_'.length) || 'unknown' };
  if (head === 'TX_DONE') return { type: 'tx-done' };
  if (head === 'SEND_CONFIRMED_OK') return { type: 'send-confirmed-ok' };
  const failed = /^SEND_CONFIRMED_FAILED(?:\((\d+)\))?$/.exec(head);
  if (failed !== null) return { type: 'send-confirmed-failed', status: failed[1] === undefined ? undefined : Number(failed[1]) };
  if (/^RX_(?:1|2|B|C)$/.test(head) && rest.length === 5) {
    const [rssi, snr, cast, port, hex] = rest;
    if (/^-?\d+$/.test(rssi) && /^-?\d+$/.test(snr) && /^\d{1,3}$/.test(port) && hex.length % 2 === 0 && /^[0-9A-Fa-f]*$/.test(hex)) {
      return { type: 'rx', window: head.slice(3), rssiDbm: Number(rssi), snrDb: Number(snr), cast, port: Number(port), payload: fromHex(hex) };
    }
  }
  return { type: 'other', line: urc.line };
}

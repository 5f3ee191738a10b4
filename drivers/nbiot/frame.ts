/**
 * The tiny application envelope NbIotUplink puts around every message, so a
 * datagram (or CoAP platform message) can be acknowledged end to end. UDP and
 * the platform's NMGS give no delivery receipt the gateway can see; the far
 * side proves receipt by echoing the sequence id.
 *
 *   data      A1 | 01 (+0x80 for alerts) | seq:u16 BE | port:u8 | payload...
 *   downlink  A1 | 03                    | seq:u16 BE | port:u8 | payload...
 *   ack       A1 | 02                    | seq:u16 BE
 *
 * The server acks every data frame (duplicates included: our ack may have been
 * lost) and de-duplicates on (device, seq). The gateway acks downlinks the same way.
 */
export const FRAME_MARKER = 0xa1;
export const DATA_HEADER_BYTES = 5;

export type Frame =
  | { type: 'data'; seq: number; port: number; alert: boolean; payload: Uint8Array }
  | { type: 'downlink'; seq: number; port: number; payload: Uint8Array }
  | { type: 'ack'; seq: number };

const TYPE_DATA = 1;
const TYPE_ACK = 2;
const TYPE_DOWNLINK = 3;

export function encodeFrame(frame: Frame): Uint8Array {
  const header = frame.type === 'ack' ? 4 : DATA_HEADER_BYTES;
  const payload = frame.type === 'ack' ? new Uint8Array(0) : frame.payload;
  const out = new Uint8Array(header + payload.length);
  out[0] = FRAME_MARKER;
  out[1] = frame.type === 'ack' ? TYPE_ACK : frame.type === 'downlink' ? TYPE_DOWNLINK : TYPE_DATA | (frame.alert ? 0x80 : 0);
  out[2] = (frame.seq >> 8) & 0xff;
  out[3] = frame.seq & 0xff;
  if (frame.type !== 'ack') {
    out[4] = frame.port & 0xff;
    out.set(payload, DATA_HEADER_BYTES);
  }
  return out;
}

/** Undefined for anything that is not one of our frames (stray traffic on the port is ignored, not fatal). */
export function decodeFrame(bytes: Uint8Array): Frame | undefined {
  if (bytes.length < 4 || bytes[0] !== FRAME_MARKER) return undefined;
  const type = bytes[1] & 0x7f;
  const seq = (bytes[2] << 8) | bytes[3];
  if (type === TYPE_ACK) return bytes.length === 4 ? { type: 'ack', seq } : undefined;
  if (bytes.length < DATA_HEADER_BYTES) return undefined;
  const port = bytes[4];
  const payload = bytes.slice(DATA_HEADER_BYTES);
  if (type === TYPE_DATA) return { type: 'data', seq, port, alert: (bytes[1] & 0x80) !== 0, payload };
  if (type === TYPE_DOWNLINK) return { type: 'downlink', seq, port, payload };
  return undefined;
}

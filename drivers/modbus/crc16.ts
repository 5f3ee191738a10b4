/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), table-driven. */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc16Modbus(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]) & 0xff];
  return crc;
}

/** Append the CRC low byte first, as RTU sends it. */
export function withCrc(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 2);
  out.set(frame);
  const crc = crc16Modbus(frame);
  out[frame.length] = crc & 0xff;
  out[frame.length + 1] = crc >> 8;
  return out;
}

/** True when the last two bytes are the CRC of the rest. */
export function hasValidCrc(frame: Uint8Array, start = 0, end = frame.length): boolean {
  if (end - start < 4) return false;
  const crc = crc16Modbus(frame, start, end - 2);
  return frame[end - 2] === (crc & 0xff) && frame[end - 1] === crc >> 8;
}

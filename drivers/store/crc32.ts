/**
 * CRC-32 (IEEE 802.3: poly 0xEDB88320 reflected, init and final XOR 0xFFFFFFFF),
 * table-driven. The log uses it rather than CRC-16 because a record is up to a
 * whole segment long, and the init/final XOR mean runs of 0x00 (a file extended
 * but never written after a crash) or 0xFF (erased flash) never check out.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]) & 0xff];
  return (crc ^ 0xffffffff) >>> 0;
}

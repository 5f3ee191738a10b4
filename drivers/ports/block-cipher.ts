/**
 * AES-128 in ECB mode on a single 16-byte block: the one primitive LoRaWAN needs
 * (CTR-style payload encryption and CMAC are built on it in the core). Hosts
 * supply node:crypto or Moddable's native BlockCipher; the core also ships a
 * portable implementation for engines with neither.
 */
export interface BlockCipher {
  /** Encrypt one 16-byte block with a 16-byte key. */
  encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
  /**
   * Optional: ECB over several whole blocks in one call (a frame's CTR key
   * stream), for hosts where a call costs more than a block. Same result as
   * encryptBlock on each 16-byte block in turn.
   */
  encryptBlocks?(key: Uint8Array, blocks: Uint8Array): Uint8Array;
}

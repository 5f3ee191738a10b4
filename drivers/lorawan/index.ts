/** LoRaWAN 1.0.x framing, crypto and regional parameters over the BlockCipher port. */
export * from './errors.js';
export * from './mhdr.js';
export * from './fhdr.js';
export * from './crypt.js';
export * from './mic.js';
export * from './data-frame.js';
export * from './join.js';
export * from './cflist.js';
export * from './keys.js';
export * from './phy.js';
export * from './airtime.js';
export * from './regions/index.js';
export { devAddrHex, type Direction } from './wire.js';

export * from './byte-stream.js';
export * from './clock.js';
export * from './virtual-clock.js';
export * from './digital.js';
export * from './block-cipher.js';
export * from './storage.js';
export * from './memory-stream.js';
export * from './uplink.js';

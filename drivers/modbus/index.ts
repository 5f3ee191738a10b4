export * from './client.js';
export * from './crc16.js';
export * from './errors.js';
export * from './pdu.js';
export * from './master.js';
export * from './rtu-master.js';
export * from './tcp-master.js';
export * from './rtu-framing.js';

/** RAK RUI3 AT-command LoRaWAN modules (RAK3172 class) as an UplinkPort. See docs/rui3.md. */
export * from './errors.js';
export * from './dialect.js';
export * from './events.js';
export * from './band.js';
export * from './uplink.js';

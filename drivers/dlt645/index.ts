export * from './bcd.js';
export * from './errors.js';
export * from './frame.js';
export * from './data-ids.js';
export * from './client.js';
export * from './describe.js';
export { MeterLink, type MeterLinkStats } from './link.js';

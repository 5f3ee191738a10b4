export * from './errors.js';
export * from './frame.js';
export * from './record.js';
export * from './client.js';
export * from './describe.js';

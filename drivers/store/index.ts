export * from './store.js';
export { MemoryFileSystem, type CrashReport } from './memory-file-system.js';
export { crc32 } from './crc32.js';
export { encodeRecord, RECORD_OVERHEAD_BYTES, MAX_RECORD_PAYLOAD } from './record.js';

/**
 * One blob (a few KB: the channel table) in a KeyValueStore whose values are
 * small (ESP32 NVS: ≤ 4000 bytes a value, ≤ 15 characters a key). The blob is
 * cut into chunks under two alternating key sets, and a header key says which
 * set is current, with the length and a CRC-32. The header is written last and
 * the KV port writes one key atomically, so a power cut during a save leaves
 * the previous blob readable; a blob that fails its CRC reads as absent.
 *
 *   header `<name>`: [version 1, slot 0|1, chunk count, length u32, crc32 u32]
 *                or [version 2, slot 0|1, chunk count u16, length u32, crc32 u32]
 *   chunks `<name><a|b><i hex>`
 *
 * Version 2 only for blobs of more than 255 chunks (765 KiB): the channel
 * table of a 1,000-device Pi gateway (10,000 channels) is about 870 KB.
 * Smaller blobs keep version 1, which every earlier firmware reads.
 */
import { crc32 } from '../store/crc32.js';
import type { KeyValueStore } from '../ports/storage.js';
import { readUint, writeUint } from '../batch/fixed-bytes.js';

/** Header layouts by version: where the chunk count is and how wide. */
const LAYOUTS = { 1: { bytes: 11, countBytes: 1 }, 2: { bytes: 12, countBytes: 2 } } as const;
/** Chunks a version-1 header can count; more take version 2. */
const V1_MAX_CHUNKS = 255;
const MAX_CHUNKS = 0xffff;
/** Below NVS's 4000-byte value limit, with room to spare. */
export const KV_CHUNK_BYTES = 3072;
const SLOTS = ['a', 'b'] as const;

function chunkKey(name: string, slot: number, index: number): string {
  return `${name}${SLOTS[slot]}${index.toString(16)}`;
}

interface Header {
  slot: number;
  chunks: number;
  length: number;
  crc: number;
}

function readHeader(kv: KeyValueStore, name: string): Header | undefined {
  const header = kv.get(name);
  if (header === undefined || (header[0] !== 1 && header[0] !== 2)) return undefined;
  const layout = LAYOUTS[header[0] as 1 | 2];
  if (header.length !== layout.bytes || header[1] > 1) return undefined;
  const at = 2 + layout.countBytes;
  return { slot: header[1], chunks: readUint(header, 2, layout.countBytes), length: readUint(header, at, 4), crc: readUint(header, at + 4, 4) };
}

/** The blob last saved under `name`, or undefined (never saved, or damaged). */
export function loadBlob(kv: KeyValueStore, name: string): Uint8Array | undefined {
  const header = readHeader(kv, name);
  if (header === undefined) return undefined;
  const out = new Uint8Array(header.length);
  let offset = 0;
  for (let i = 0; i < header.chunks; i++) {
    const chunk = kv.get(chunkKey(name, header.slot, i));
    if (chunk === undefined || offset + chunk.length > out.length) return undefined;
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return offset === header.length && crc32(out) === header.crc ? out : undefined;
}

/** Save `blob` under `name` in the slot not in use, then switch the header to it and delete the old slot's chunks. */
export function saveBlob(kv: KeyValueStore, name: string, blob: Uint8Array): void {
  const previous = readHeader(kv, name);
  const slot = previous === undefined ? 0 : 1 - previous.slot;
  const chunks = Math.max(1, Math.ceil(blob.length / KV_CHUNK_BYTES));
  if (chunks > MAX_CHUNKS) throw new RangeError(`blob ${name} of ${blob.length} bytes needs more than ${MAX_CHUNKS} chunks`);
  for (let i = 0; i < chunks; i++) kv.set(chunkKey(name, slot, i), blob.subarray(i * KV_CHUNK_BYTES, (i + 1) * KV_CHUNK_BYTES));
  const version = chunks > V1_MAX_CHUNKS ? 2 : 1;
  const layout = LAYOUTS[version];
  const header = new Uint8Array(layout.bytes);
  header[0] = version;
  header[1] = slot;
  writeUint(header, 2, chunks, layout.countBytes);
  writeUint(header, 2 + layout.countBytes, blob.length, 4);
  writeUint(header, 6 + layout.countBytes, crc32(blob), 4);
  kv.set(name, header);
  if (previous !== undefined) for (let i = 0; i < previous.chunks; i++) kv.delete(chunkKey(name, previous.slot, i));
}

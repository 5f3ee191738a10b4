/**
 * Poll periods set by downlink (docs/gateway.md, "Downlinks"), kept in the
 * meta store so they outlast a restart. One record for all devices: a CBOR
 * map saved as a kv-blob (header `pp`, chunks `ppa0`/`ppb0`), so a power cut
 * during a save leaves the previous record readable and a damaged one reads as
 * absent (the site file's periods apply).
 *
 *   { "format": 1, "periods": { "<device id>": <seconds, uint24 > 0>, … } }
 */
import { decodeCbor, encodeCbor } from '../batch/cbor-codec.js';
import type { KeyValueStore } from '../ports/storage.js';
import { loadBlob, saveBlob } from './kv-blob.js';

/** Meta key of the poll-period overrides (a CBOR blob, see kv-blob.ts). */
export const POLL_OVERRIDES_KEY = 'pp';

const FORMAT = 1;

/** The largest period a downlink can carry (uint24 seconds). */
const MAX_PERIOD_S = 2 ** 24 - 1;

function validPeriod(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_PERIOD_S;
}

/**
 * The overrides last saved, by device id, and the record's bytes; undefined
 * when there is no record or it is unreadable (torn, damaged, another format).
 * Entries whose period is not a valid downlink period are left out.
 */
export function loadPollOverrides(meta: KeyValueStore): { overrides: Map<string, number>; bytes: Uint8Array } | undefined {
  const bytes = loadBlob(meta, POLL_OVERRIDES_KEY);
  if (bytes === undefined) return undefined;
  let record: unknown;
  try {
    record = decodeCbor(bytes);
  } catch {
    return undefined;
  }
  const r = record as { format?: unknown; periods?: unknown } | null;
  if (r === null || typeof r !== 'object' || r.format !== FORMAT) return undefined;
  const periods = r.periods;
  if (periods === null || typeof periods !== 'object' || Array.isArray(periods) || periods instanceof Uint8Array) return undefined;
  const overrides = new Map<string, number>();
  for (const device of Object.keys(periods)) {
    const periodS = (periods as Record<string, unknown>)[device];
    if (validPeriod(periodS)) overrides.set(device, periodS);
  }
  return { overrides, bytes };
}

/** The record's bytes (devices in id order, so the same overrides give the same bytes). */
export function encodePollOverrides(overrides: ReadonlyMap<string, number>): Uint8Array {
  const periods: Record<string, number> = {};
  for (const device of [...overrides.keys()].sort()) periods[device] = overrides.get(device) as number;
  return encodeCbor({ format: FORMAT, periods });
}

/** Save a record encodePollOverrides made (an empty one too: it replaces the previous record). */
export function savePollOverrides(meta: KeyValueStore, record: Uint8Array): void {
  saveBlob(meta, POLL_OVERRIDES_KEY, record);
}

/**
 * Poll periods set by downlink (docs/gateway.md, "Downlinks"), kept in the
 * meta store so they outlast a restart. One record for all devices: a CBOR
 * map saved as a kv-blob (header `pp`, chunks `ppa0`/`ppb0`), so a power cut
 * during a save leaves the previous record readable and a damaged one reads as
 * absent (the site file's periods apply).
 *
 *   { "format": 2, "periods": { "<device id>": <seconds>, … },
 *                  "sites":   { "<device id>": <fingerprint of its site entry, uint32>, … } }
 *
 * The site file wins: the fingerprint (siteEntryFingerprint) is taken of the
 * device's entry in the site file when the override is set, and an override
 * whose entry has changed since is dropped at the next start. Format 1
 * records (before fingerprints) read with no fingerprint.
 */
import { decodeCbor, encodeCbor, type CborValue } from '../batch/cbor-codec.js';
import type { KeyValueStore } from '../ports/storage.js';
import { crc32 } from '../store/crc32.js';
import { loadBlob, saveBlob } from './kv-blob.js';
import type { SiteDevice } from './site.js';

/** Meta key of the poll-period overrides (a CBOR blob, see kv-blob.ts). */
export const POLL_OVERRIDES_KEY = 'pp';

const FORMAT = 2;
const FORMAT_WITHOUT_FINGERPRINTS = 1;

/** The largest period a downlink can carry (uint24 seconds); the bounds in force are checked by the gateway. */
const MAX_PERIOD_S = 2 ** 24 - 1;

export interface PollOverrides {
  /** Period in force, s, by device id. */
  periods: Map<string, number>;
  /** Fingerprint of each device's site entry when its override was set (absent: a format 1 record). */
  sites: Map<string, number>;
}

function validPeriod(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_PERIOD_S;
}

function validFingerprint(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 32;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * The overrides last saved and the record's bytes; undefined when there is no
 * record or it is unreadable (torn, damaged, another format). Entries whose
 * period is not a whole number of seconds the wire could carry are left out.
 */
export function loadPollOverrides(meta: KeyValueStore): { overrides: PollOverrides; bytes: Uint8Array } | undefined {
  const bytes = loadBlob(meta, POLL_OVERRIDES_KEY);
  if (bytes === undefined) return undefined;
  let record: unknown;
  try {
    record = decodeCbor(bytes);
  } catch {
    return undefined;
  }
  if (!isMap(record) || (record.format !== FORMAT && record.format !== FORMAT_WITHOUT_FINGERPRINTS)) return undefined;
  const periods = record.periods;
  const sites = record.format === FORMAT ? record.sites : {};
  if (!isMap(periods) || !isMap(sites)) return undefined;
  const overrides: PollOverrides = { periods: new Map(), sites: new Map() };
  for (const device of Object.keys(periods)) {
    const periodS = periods[device];
    if (!validPeriod(periodS)) continue;
    overrides.periods.set(device, periodS);
    const site = sites[device];
    if (validFingerprint(site)) overrides.sites.set(device, site);
  }
  return { overrides, bytes };
}

/** The record's bytes (devices in id order, so the same overrides give the same bytes). */
export function encodePollOverrides(overrides: PollOverrides): Uint8Array {
  const periods: Record<string, number> = {};
  const sites: Record<string, number> = {};
  for (const device of [...overrides.periods.keys()].sort()) {
    periods[device] = overrides.periods.get(device) as number;
    const site = overrides.sites.get(device);
    if (site !== undefined) sites[device] = site;
  }
  return encodeCbor({ format: FORMAT, periods, sites });
}

/** Save a record encodePollOverrides made (an empty one too: it replaces the previous record). */
export function savePollOverrides(meta: KeyValueStore, record: Uint8Array): void {
  saveBlob(meta, POLL_OVERRIDES_KEY, record);
}

/** A value with every map's keys in sorted order, so equal entries encode to equal bytes whatever order the file wrote them in. */
function canonical(value: unknown): CborValue {
  if (Array.isArray(value)) return value.map(canonical);
  if (isMap(value)) {
    const out: Record<string, CborValue> = {};
    for (const key of Object.keys(value).sort()) if (value[key] !== undefined) out[key] = canonical(value[key]);
    return out;
  }
  return value as CborValue;
}

/** CRC-32 of the device's site entry (every field: address, period, adaptive, priority, points…), key order aside. */
export function siteEntryFingerprint(device: SiteDevice): number {
  return crc32(encodeCbor(canonical(device)));
}

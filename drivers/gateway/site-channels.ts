/**
 * The channel table a gateway encodes a site's uplinks with, and where it
 * keeps it. One function for the gateway and the tools that must agree with it
 * byte for byte (`axon codec`, network-server registries): channels numbered
 * append-only from the previous table, alert rules numbered as the gateway runs
 * them (its defaults merged with the site's own, siteRules).
 */
import { buildChannelTable, type ChannelTable } from '../batch/channels.js';
import { decodeCbor } from '../batch/cbor-codec.js';
import type { DeviceManifest } from '../devices/manifest.js';
import type { KeyValueStore } from '../ports/storage.js';
import type { AlertRuleConfig } from '../rules/config.js';
import { siteRules } from '../rules/defaults.js';
import { loadBlob } from './kv-blob.js';
import type { SiteFile } from './site.js';

/** Meta key of the persisted channel table (a CBOR blob, see kv-blob.ts). */
export const CHANNEL_TABLE_KEY = 'ct';

/**
 * The table a gateway running `site` uses, given the table it had before (none
 * on first boot). `rules` is the rule set it runs (default siteRules: a caller
 * that already has it passes it rather than merging the defaults twice).
 */
export function siteChannelTable(
  site: SiteFile,
  manifests: ReadonlyMap<string, DeviceManifest>,
  options: { previous?: ChannelTable; rules?: readonly AlertRuleConfig[] } = {},
): ChannelTable {
  return buildChannelTable(site, manifests, { previous: options.previous, rules: options.rules ?? siteRules(site, manifests) });
}

/** True when `value` has the shape of a channel table (format 1). */
export function isChannelTable(value: unknown): value is ChannelTable {
  const t = value as Partial<ChannelTable> | null;
  return t !== null && typeof t === 'object' && t.format === 1 && Array.isArray(t.channels) && Array.isArray(t.rules);
}

/** The persisted table and its bytes, or undefined when there is none (first boot) or it is unreadable. */
export function loadChannelTable(meta: KeyValueStore): { table: ChannelTable; bytes: Uint8Array } | undefined {
  const bytes = loadBlob(meta, CHANNEL_TABLE_KEY);
  if (bytes === undefined) return undefined;
  try {
    const table = decodeCbor(bytes) as unknown;
    return isChannelTable(table) ? { table, bytes } : undefined;
  } catch {
    return undefined;
  }
}

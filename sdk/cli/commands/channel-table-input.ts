/**
 * The channel table a running gateway already has, for tools that must number
 * channels as it does: a JSON file (--previous, as `axon codec --channels-out`
 * writes it) or a Raspberry Pi gateway's data directory (--state, whose `kv`
 * holds the persisted table).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChannelTable } from '../../../drivers/batch/channels.js';
import { AxonError } from '../../../drivers/errors.js';
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { isChannelTable, loadChannelTable, siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { NodeKeyValueStore } from '../../../firmware/rpi/storage/index.js';
import { UsageError, type FlagSpecs, type Flags } from '../args.js';

export const PREVIOUS_TABLE_FLAGS: FlagSpecs = {
  previous: { type: 'string', value: '<file>', description: 'the channel table in use so far (JSON): its numbering is kept, new points get new numbers' },
  state: { type: 'string', value: '<dir>', description: "a Raspberry Pi gateway's data directory: take the table it persisted (instead of --previous)" },
};

/** The table the site's gateways use: numbered on from --previous or --state when given, afresh otherwise. */
export function gatewayChannelTable(flags: Flags, site: SiteFile, manifests: ReadonlyMap<string, DeviceManifest>): ChannelTable {
  return siteChannelTable(site, manifests, { previous: previousChannelTable(flags) });
}

function previousChannelTable(flags: Flags): ChannelTable | undefined {
  const file = flags.string('previous');
  const state = flags.string('state');
  if (file !== undefined && state !== undefined) throw new UsageError('give --previous or --state, not both', flags.command);
  if (file !== undefined) return tableFromFile(file);
  if (state !== undefined) return tableFromState(state);
  return undefined;
}

function tableFromFile(file: string): ChannelTable {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AxonError('CHANNEL_TABLE_UNREADABLE', `cannot read the channel table: ${(error as Error).message}`, { where: file, fix: 'give the JSON file `axon codec --channels-out` wrote, or the gateway data directory with --state' });
  }
  if (!isChannelTable(json)) {
    throw new AxonError('CHANNEL_TABLE_INVALID', 'not a channel table ({"format": 1, "channels": [...], "rules": [...]})', { where: file, fix: 'give the JSON file `axon codec --channels-out` wrote (docs/batch-format.md §2)' });
  }
  return json;
}

function tableFromState(dir: string): ChannelTable {
  const kv = path.join(dir, 'kv');
  // NodeKeyValueStore creates its directory; a mistyped path must not become an empty store.
  if (!existsSync(kv)) {
    throw new AxonError('CHANNEL_TABLE_UNREADABLE', `no gateway state here (${kv} does not exist)`, { where: dir, fix: "give the gateway's data directory (the one holding log/ and kv/)" });
  }
  const loaded = loadChannelTable(new NodeKeyValueStore(kv));
  if (loaded === undefined) {
    throw new AxonError('CHANNEL_TABLE_UNREADABLE', 'the gateway has no readable channel table (never started, or the saved table is damaged)', { where: kv, fix: 'start the gateway once with this site, or give the table with --previous' });
  }
  return loaded.table;
}

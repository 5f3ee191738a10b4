/**
 * The channel table: which (device, point) each channel number means, at what
 * fixed-point resolution, plus the numbering of alert rules. Both ends need the
 * same table — the gateway to encode, the network-server codec to decode — so
 * it is plain JSON data, persisted by the gateway and baked into generated codecs.
 *
 * Numbering is append-only: pass the previous table and every channel keeps
 * its number and resolution; new points get the next free numbers; a channel
 * whose point left the site is kept as `retired` so its number is never reused.
 * Frames encoded under an older table therefore decode identically under a
 * newer one. Without a previous table, channels are numbered in site order
 * (bus, device, manifest point order). Config-role points are not channels.
 */
import type { DeviceManifest } from '../devices/manifest.js';
import type { SiteFile } from '../gateway/site.js';
import type { AlertRuleConfig } from '../rules/config.js';
import { BatchError } from './errors.js';
import { LIMITS } from './format.js';
import { pointEncoding, type ChannelKind } from './resolution.js';

export type { ChannelKind } from './resolution.js';

export interface Channel {
  index: number;
  device: string;
  point: string;
  /** Engineering unit ('' when the point has none). */
  unit: string;
  kind: ChannelKind;
  /** Fixed-point resolution 10^-decimals (decimals 1 → 0.1 units). Never changes once assigned. */
  decimals: number;
  /** Plausible range (manifest, site override), for tools and test generators. */
  min?: number;
  max?: number;
  /** The point is no longer in the site; the number stays reserved. */
  retired?: boolean;
}

export interface RuleRef {
  index: number;
  id: string;
  device: string;
  point?: string;
  retired?: boolean;
}

export interface ChannelTable {
  format: 1;
  channels: Channel[];
  rules: RuleRef[];
}

export interface ChannelTableOptions {
  /** The table in use so far: its numbering is kept (append-only). */
  previous?: ChannelTable;
  /** The rules alerts are raised for (the gateway's defaults merged with the site's, see siteRules); default the site's own rules. */
  rules?: readonly AlertRuleConfig[];
}

export function buildChannelTable(site: SiteFile, manifests: ReadonlyMap<string, DeviceManifest>, options: ChannelTableOptions = {}): ChannelTable {
  const current: Channel[] = [];
  for (const bus of site.buses) {
    for (const device of bus.devices) {
      const manifest = manifests.get(device.manifest);
      if (manifest === undefined) {
        throw new BatchError('BATCH_UNKNOWN_MANIFEST', `device ${device.id} uses manifest "${device.manifest}", which was not loaded`, {
          where: `site ${site.id}, bus ${bus.id}`,
          fix: `add manifests/devices/${device.manifest}.json or correct the manifest id`,
        });
      }
      for (const point of manifest.points) {
        const override = device.points?.[point.id];
        if (point.role === 'config' || override?.disabled === true) continue;
        const { kind, decimals } = pointEncoding(point);
        const channel: Channel = { index: -1, device: device.id, point: point.id, unit: point.unit ?? '', kind, decimals };
        const min = override?.min ?? point.min;
        const max = override?.max ?? point.max;
        if (min !== undefined) channel.min = min;
        if (max !== undefined) channel.max = max;
        current.push(channel);
      }
    }
  }
  const channels = mergeAppendOnly(options.previous?.channels ?? [], current, (a, b) => a.kind === b.kind, (old, now) => ({ ...now, decimals: old.decimals }));
  if (channels.length > LIMITS.channels) {
    throw new BatchError('BATCH_TOO_MANY_CHANNELS', `${channels.length} channels; the format numbers at most ${LIMITS.channels}`, {
      where: `site ${site.id}`,
      fix: `split the devices over several gateways (at most ${LIMITS.channels} channels each: one per measured point of each device), or disable points the platform does not need`,
    });
  }
  const rules: RuleRef[] = (options.rules ?? site.rules ?? []).map((rule) => {
    const ref: RuleRef = { index: -1, id: rule.id, device: rule.device };
    if (rule.kind !== 'offline') ref.point = rule.point;
    return ref;
  });
  return { format: 1, channels, rules: mergeAppendOnly(options.previous?.rules ?? [], rules, () => true, (_old, now) => now) };
}

interface Numbered {
  index: number;
  retired?: boolean;
}

/**
 * Keeps every previous entry at its number (updated from `current` when still
 * present and `compatible`, retired otherwise) and appends the rest of `current`.
 * An incompatible change (a number point that became a bit) retires the old
 * number and appends a new one: old frames keep their meaning.
 */
function mergeAppendOnly<T extends Numbered>(previous: readonly T[], current: readonly T[], compatible: (old: T, now: T) => boolean, keep: (old: T, now: T) => T): T[] {
  const byKey = new Map<string, T>();
  for (const entry of current) byKey.set(keyOf(entry), entry);
  const out: T[] = [];
  const placed = new Set<T>();
  for (const old of previous) {
    const now = byKey.get(keyOf(old));
    if (now !== undefined && compatible(old, now) && !placed.has(now)) {
      out.push({ ...keep(old, now), index: out.length });
      placed.add(now);
    } else {
      out.push({ ...old, index: out.length, retired: true });
    }
  }
  for (const entry of current) if (!placed.has(entry)) out.push({ ...entry, index: out.length });
  return out;
}

function keyOf(entry: object): string {
  const e = entry as { device?: string; point?: string; id?: string };
  return e.id !== undefined ? `rule\u0000${e.id}` : `${e.device}\u0000${e.point}`;
}

/**
 * Per table: device → point → live channel (nested, so a lookup per sample
 * builds no key string). Created on first use, not at load: XS makes a WeakMap
 * created while a module is preloaded (Moddable's `preload`) read-only.
 */
let lookups: WeakMap<ChannelTable, Map<string, Map<string, Channel>>> | undefined;

/** The live (not retired) channel of a device point, or undefined. */
export function findChannel(table: ChannelTable, device: string, point: string): Channel | undefined {
  lookups ??= new WeakMap();
  let byDevice = lookups.get(table);
  if (byDevice === undefined) {
    byDevice = new Map();
    for (const channel of table.channels) {
      if (channel.retired === true) continue;
      let byPoint = byDevice.get(channel.device);
      if (byPoint === undefined) byDevice.set(channel.device, (byPoint = new Map()));
      byPoint.set(channel.point, channel);
    }
    lookups.set(table, byDevice);
  }
  return byDevice.get(device)?.get(point);
}

/** A sample value as the channel's integer; throws for values the channel cannot carry. */
export function toFixed(channel: Channel, value: number | boolean): number {
  if (channel.kind === 'bool') {
    if (typeof value !== 'boolean') throw valueError(channel, value, 'a boolean');
    return value ? 1 : 0;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw valueError(channel, value, 'a finite number');
  const fixed = channel.decimals >= 0 ? Math.round(value * 10 ** channel.decimals) : Math.round(value / 10 ** -channel.decimals);
  if (Math.abs(fixed) > LIMITS.magnitude) throw valueError(channel, value, `a number of magnitude below ${LIMITS.magnitude} × 10^-${channel.decimals}`);
  return fixed === 0 ? 0 : fixed;
}

export function fromFixed(channel: Pick<Channel, 'kind' | 'decimals'>, fixed: number): number | boolean {
  if (channel.kind === 'bool') return fixed !== 0;
  const value = channel.decimals >= 0 ? fixed / 10 ** channel.decimals : fixed * 10 ** -channel.decimals;
  return value === 0 ? 0 : value;
}

/** The value a decoder returns for `value`: the input rounded to the channel resolution. */
export function quantize(channel: Channel, value: number | boolean): number | boolean {
  return fromFixed(channel, toFixed(channel, value));
}

function valueError(channel: Channel, value: unknown, wanted: string): BatchError {
  return new BatchError('BATCH_VALUE', `value ${String(value)} of ${channel.device}.${channel.point} is not ${wanted}`, {
    where: `channel ${channel.index}`,
    fix: 'only valid readings become samples; check the device driver that produced it',
  });
}

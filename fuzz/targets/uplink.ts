/**
 * What travels between the gateway and the platform: batch, alert, status and
 * CBOR uplinks (decoded by the platform: drivers/batch, sdk/codec), and the
 * downlinks the gateway decodes (drivers/gateway/downlink.ts, MQTT and
 * LoRaWAN). All on the demo site's channel table.
 */
import { BatchEncoder, buildChannelTable, decodeAlert, decodeCborMessage, decodeMessage, decodeStatus, encodeAlert, encodeCborAlert, encodeCborBatch, encodeCborStatus, encodeStatus, type ChannelTable } from '../../drivers/batch/index.js';
import type { AlertEvent, Sample } from '../../drivers/gateway/events.js';
import { decodeDownlink, encodeDownlink } from '../../drivers/gateway/downlink.js';
import { decodeUplink } from '../../sdk/codec/decode-uplink.js';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import type { FuzzTarget } from '../target.js';
import { tryEach } from '../typed-error.js';

const T0 = Date.UTC(2026, 0, 1, 8);

let cached: ChannelTable | undefined;
function demoTable(): ChannelTable {
  cached ??= buildChannelTable(demoSite(), shippedManifests());
  return cached;
}

/** A day's worth of plausible samples: every live channel, a few times, values across its range. */
function samples(table: ChannelTable): Sample[] {
  const out: Sample[] = [];
  const live = table.channels.filter((c) => c.retired !== true);
  for (let round = 0; round < 4; round++) {
    for (const [i, channel] of live.entries()) {
      const t = T0 + round * 300_000 + i * 2_000;
      const value = channel.kind === 'bool' ? (round + i) % 2 === 0 : Math.max(channel.min ?? -50, Math.min(channel.max ?? 1000, (round * 7 + i) * 1.3));
      out.push({ device: channel.device, point: channel.point, t, value });
    }
  }
  return out;
}

function alerts(table: ChannelTable): AlertEvent[] {
  return table.rules.filter((r) => r.retired !== true && r.index < 256).map((rule, i) => {
    const channel = table.channels.find((c) => c.retired !== true);
    return { rule: rule.id, device: channel?.device ?? 'x', level: i % 2 === 0 ? ('critical' as const) : ('warning' as const), state: (['raised', 'cleared', 'acknowledged'] as const)[i % 3], t: T0 + i * 1000, value: i, message: 'fuzz seed' };
  });
}

/** Every decoder a platform (or `axon decode uplink`) runs on an uplink. */
function decodeEverywhere(bytes: Uint8Array, table: ChannelTable): void {
  tryEach([
    () => decodeMessage(bytes, table),
    () => decodeMessage(bytes, table, { warn: () => undefined }),
    () => decodeCborMessage(bytes, table),
    () => decodeUplink(bytes, table),
    () => decodeAlert(bytes, table),
    () => decodeStatus(bytes),
  ]);
}

export function batchTarget(): FuzzTarget {
  const table = demoTable();
  const frames: Uint8Array[] = [];
  for (const limit of [11, 51, 242]) {
    const encoder = new BatchEncoder(table);
    for (const sample of samples(table)) encoder.add(sample);
    frames.push(...encoder.flush(limit).slice(0, 6));
  }
  return {
    name: 'batch',
    description: 'decodeMessage (binary batch frames), decodeUplink (sdk/codec) on the demo site\'s channel table',
    seeds: frames.map((bytes) => ({ bytes })),
    maxRandomLength: 242,
    run: (input) => decodeEverywhere(input, table),
  };
}

export function alertStatusTarget(): FuzzTarget {
  const table = demoTable();
  return {
    name: 'alert-status',
    description: 'decodeAlert and decodeStatus (and decodeMessage on the same bytes)',
    seeds: [
      ...alerts(table).map((a) => ({ bytes: encodeAlert(a, table) })),
      { bytes: encodeStatus({ t: T0, dropped: 3, queued: 120 }) },
      { bytes: encodeStatus({ t: T0, dropped: 0, queued: 0 }) },
    ],
    maxRandomLength: 16,
    run: (input) => decodeEverywhere(input, table),
  };
}

export function cborTarget(): FuzzTarget {
  const table = demoTable();
  const all = samples(table);
  return {
    name: 'cbor',
    description: 'decodeCborMessage (CBOR batch, alert and status from IP uplinks) and decodeUplink',
    seeds: [
      { bytes: encodeCborBatch(all.slice(0, 40), table) },
      { bytes: encodeCborBatch(all.slice(40, 45), table, { timeStepS: 1 }) },
      ...alerts(table).slice(0, 4).map((a) => ({ bytes: encodeCborAlert(a, table) })),
      { bytes: encodeCborStatus({ t: T0, dropped: 1, queued: 2 }) },
    ],
    maxRandomLength: 200,
    run: (input) => decodeEverywhere(input, table),
  };
}

export function gatewayDownlinkTarget(): FuzzTarget {
  const table = demoTable();
  const devices = [...new Set(table.channels.filter((c) => c.retired !== true).map((c) => c.device))];
  const rules = table.rules.filter((r) => r.retired !== true && r.index < 256);
  return {
    name: 'gateway-downlink',
    description: 'decodeDownlink (drivers/gateway/downlink.ts): what the gateway does with an MQTT or LoRaWAN downlink payload',
    seeds: [
      ...rules.slice(0, 4).flatMap((r) => [encodeDownlink({ kind: 'acknowledge', rule: r.id }, table), encodeDownlink({ kind: 'acknowledge', rule: r.id, level: 'critical' }, table)]),
      ...devices.slice(0, 6).map((device, i) => encodeDownlink({ kind: 'poll-period', device, periodS: [1, 60, 900, 86_400, 3_600, 30][i] }, table)),
      encodeDownlink({ kind: 'poll-period', device: devices[0] }, table),
    ].map((bytes) => ({ bytes })),
    maxRandomLength: 16,
    run: (input) => tryEach([() => decodeDownlink(input, table)]),
  };
}

/**
 * Generates a standalone The Things Stack / ChirpStack v4 payload codec for a
 * site: ES5.1 JavaScript with the channel table and the site's FPorts baked
 * in, exposing `decodeUplink({bytes, fPort, recvTime})` → `{data, warnings?,
 * errors?}` (binary frames and the CBOR form), and `encodeDownlink` /
 * `decodeDownlink` for every downlink the gateway accepts. Regenerate it
 * whenever the channel table grows; a codec older than the gateway's table
 * decodes what it knows and warns about the rest.
 */
import type { ChannelTable } from '../../drivers/batch/channels.js';
import { LIMITS } from '../../drivers/batch/format.js';
import { CODEC_RUNTIME } from './codec-runtime.js';
import { CODEC_CBOR_RUNTIME } from './codec-cbor-runtime.js';
import { CODEC_DOWNLINK_RUNTIME } from './codec-downlink-runtime.js';
import { codecPorts, type CodecPorts } from './codec-ports.js';

/** The Things Stack's limit on a payload formatter's source, bytes. */
export const TTS_CODEC_LIMIT_BYTES = 40 * 1024;

/** JSON is valid ES5 source once non-ASCII (including U+2028/2029) is escaped. */
function es5Literal(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export interface CodecOptions {
  /** In the header comment (the site id). */
  name?: string;
  /** The site's FPorts (default: the gateway's defaults, codecPorts()). */
  ports?: CodecPorts;
}

/** One channel's row in AXON_CHANNELS. */
function channelRow(c: ChannelTable['channels'][number]): Array<string | number> {
  const row: Array<string | number> = [c.device, c.point, c.unit, c.decimals, c.kind === 'bool' ? 'b' : 'n'];
  if (c.retired === true) row.push(1);
  return row;
}

export function generateCodec(channels: ChannelTable, options: CodecOptions = {}): string {
  const rows = channels.channels.map(channelRow);
  const ports = options.ports ?? codecPorts();
  const rules = channels.rules.map((r) => (r.retired === true ? [r.id, r.device, r.point ?? null, 1] : [r.id, r.device, r.point ?? null]));
  return [
    `// Axon batch-format v1 uplink codec${options.name ? ` for ${options.name}` : ''} (generated; do not edit).`,
    '// The Things Stack / ChirpStack: decodeUplink({bytes, fPort, recvTime}) -> {data, warnings?, errors?}; binary frames or their CBOR form.',
    `// FPorts: readings and status on ${ports.data}, alerts on ${ports.alert} (another port is an error), downlinks on ${ports.downlink}.`,
    '// data.type is "batch" (readings), "alert", "alerts" (a group) or "status"; batches and alerts carry seq and ackRequested when sequenced; see docs/batch-format.md in the Axon repository.',
    '// A reading is named by (device, point, time): no two share one, so a repeated key is a resent frame\'s copy.',
    '// encodeDownlink({data, fPort}) (TTS) or ({data, variables}) (ChirpStack v4) -> {bytes, fPort, warnings, errors}; decodeDownlink({bytes, fPort}) -> {data};',
    '// data.type "data-ack" {base, seqs}, "acknowledge" {rule, level?}, "poll-period" {device, periodS}; see docs/app-ack.md.',
    '// Channels: [device, point, unit, decimals, kind ("n" number, "b" bit), retired?].',
    `var AXON_CHANNELS = ${channels.channels.length === 0 ? '[]' : '[\n  ' + rows.map(es5Literal).join(',\n  ') + '\n]'};`,
    `var AXON_RULES = ${es5Literal(rules)};`,
    `var AXON_PORTS = ${es5Literal(ports)};`,
    `var AXON_CHANNEL_LIMIT = ${LIMITS.channels};`,
    CODEC_RUNTIME.trim(),
    CODEC_CBOR_RUNTIME.trim(),
    CODEC_DOWNLINK_RUNTIME.trim(),
    '',
  ].join('\n');
}

/**
 * `axon codec --site <file>`: the payload decoder a network server needs for a
 * site's gateways. It builds the channel table exactly as the gateway does
 * (drivers/gateway/site-channels.ts: same numbering, same rule numbers), bakes
 * it into a standalone ES5.1 decodeUplink for The Things Stack or ChirpStack
 * v4, checks the source, and writes it; --channels-out writes the table itself
 * (for `axon ns sim --devices` registries and other decoders).
 */
import { writeFileSync } from 'node:fs';
import { AxonError } from '../../../drivers/errors.js';
import { codecPorts } from '../../codec/codec-ports.js';
import { TTS_CODEC_LIMIT_BYTES } from '../../codec/generate-codec.js';
import { es5Violations, generateCodec } from '../../codec/index.js';
import type { Command } from '../command.js';
import { gatewayChannelTable, PREVIOUS_TABLE_FLAGS } from './channel-table-input.js';
import { MANIFESTS_FLAG, siteInputs } from './site-inputs.js';

function write(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new AxonError('OUTPUT_UNWRITABLE', `cannot write ${file}: ${(error as Error).message}`, { where: file, fix: 'check the directory exists and is writable' });
  }
}

export const codec: Command = {
  group: 'codec',
  name: '',
  summary: "generate the site's uplink decoder for The Things Stack / ChirpStack (and its channel table)",
  usage: '--site <file> [--out <codec.js>] [--channels-out <file>] [--previous <file> | --state <dir>] [--manifests <dir>] [--name <text>] [--force]',
  flags: {
    site: { type: 'string', value: '<file>', description: 'site file, e.g. manifests/sites/demo.json (validated first)', required: true },
    out: { type: 'string', value: '<file>', description: 'write the codec here', default: 'stdout' },
    'channels-out': { type: 'string', value: '<file>', description: 'also write the channel table (JSON) here' },
    ...PREVIOUS_TABLE_FLAGS,
    manifests: MANIFESTS_FLAG,
    name: { type: 'string', value: '<text>', description: "name in the codec's header comment", default: 'the site id' },
    force: { type: 'boolean', description: "write a codec over The Things Stack's 40 KB formatter limit anyway (for ChirpStack, which has none)" },
  },
  details: [
    'The codec decodes every Axon uplink (batch, alert, alert group, status; binary or CBOR) to {data: {type, readings | alert | alerts | status}},',
    "checks the FPort against the site's fPortData / fPortAlert, and encodes and decodes every downlink the gateway accepts",
    '(encodeDownlink / decodeDownlink: data-ack, acknowledge, poll-period; docs/app-ack.md).',
    "A codec over The Things Stack's 40 KB limit is an error (CODEC_TOO_LARGE) unless --force.",
    'Channel numbers are append-only: when the site changes under running gateways, pass the table they use',
    '(--previous or --state) so old numbers keep their meaning; otherwise numbering starts afresh in site order.',
    'Paste the codec into the device profile (ChirpStack: Codec → JavaScript functions) or the TTS uplink formatter.',
  ].join('\n'),
  examples: [
    'axon codec --site manifests/sites/demo.json --out demo-codec.js --channels-out demo-channels.json',
    'axon codec --site manifests/sites/demo.json --state /var/lib/axon --out codec.js',
    'axon codec --site big-site.json --out chirpstack-codec.js --force',
  ],

  async run({ flags }, io) {
    const { site, manifests } = siteInputs(flags, io);
    const table = gatewayChannelTable(flags, site, manifests);
    const source = generateCodec(table, { name: flags.string('name') ?? site.id, ports: codecPorts(site.uplink) });
    const violations = es5Violations(source);
    if (violations.length > 0) {
      // The generator's own fault, not the user's: say so plainly rather than emit a codec TTS would refuse.
      throw new AxonError('CODEC_NOT_ES5', `the generated codec is not ES5.1 (${violations.join(', ')})`, { where: 'sdk/codec/generate-codec.ts', fix: 'report this as a bug in Axon' });
    }
    const bytes = new TextEncoder().encode(source).length;
    const tooLarge = bytes > TTS_CODEC_LIMIT_BYTES;
    if (tooLarge && !flags.bool('force')) {
      throw new AxonError('CODEC_TOO_LARGE', `the codec for site ${site.id} is ${bytes} bytes, over The Things Stack's ${TTS_CODEC_LIMIT_BYTES / 1024} KB (${TTS_CODEC_LIMIT_BYTES} byte) payload formatter limit; nothing was written`, {
        where: `${table.channels.length} channels, ${table.rules.length} alert rules`,
        fix: 'split the site into several, or pass --force to write it for ChirpStack (no such limit)',
      });
    }
    const out = flags.string('out');
    if (out === undefined) io.out(source.trimEnd());
    else write(out, source);
    const channelsOut = flags.string('channels-out');
    if (channelsOut !== undefined) write(channelsOut, JSON.stringify(table, null, 2) + '\n');
    const live = table.channels.filter((c) => c.retired !== true).length;
    const retired = table.channels.length - live;
    io.err(`codec for site ${site.id}: ${live} channels${retired > 0 ? ` (+${retired} retired)` : ''}, ${table.rules.length} alert rules, ${bytes} bytes of ES5.1${out === undefined ? '' : ` → ${out}`}${channelsOut === undefined ? '' : `, table → ${channelsOut}`}`);
    if (tooLarge) io.err(`warning: --force: the codec is over The Things Stack's ${TTS_CODEC_LIMIT_BYTES / 1024} KB formatter limit; it works in ChirpStack, not in TTS`);
    return 0;
  },
};

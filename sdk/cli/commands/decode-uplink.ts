/**
 * `axon decode uplink <hex> --site <file>`: what an Axon uplink (the FRMPayload
 * of a LoRaWAN frame, an NB-IoT datagram or an MQTT message, binary or CBOR)
 * says, decoded with the site's channel table, the same decoder the cloud
 * side uses (sdk/codec/decode-uplink.ts; the CBOR form parsed by cbor-x).
 * Times are printed as ISO 8601.
 */
import type { DecodedAlert } from '../../../drivers/batch/alert.js';
import type { DecodedUplink } from '../../codec/decode-uplink.js';
import { decodeUplinkOnNode } from '../../codec/hosts/cbor-x.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { untilSignal } from '../until-signal.js';
import { followUplinks } from './decode-follow.js';
import { gatewayChannelTable, PREVIOUS_TABLE_FLAGS } from './channel-table-input.js';
import { hexFromPositionals } from './hex-input.js';
import { MANIFESTS_FLAG, siteInputs } from './site-inputs.js';

const iso = (ms: number) => new Date(ms).toISOString();

function readable(message: DecodedUplink): unknown {
  const warnings = message.warnings.length > 0 ? { warnings: message.warnings } : {};
  if (message.type === 'batch') return { type: 'batch', readings: message.readings.map(({ t, ...r }) => ({ time: iso(t), ...r })), ...warnings };
  const timed = ({ t, ...alert }: DecodedAlert) => ({ time: iso(t), ...alert });
  if (message.type === 'alert') return { type: 'alert', alert: timed(message.alert), ...warnings };
  if (message.type === 'alerts') return { type: 'alerts', alerts: message.alerts.map(timed), ...warnings };
  const { t, ...status } = message.status;
  return { type: 'status', status: { time: iso(t), ...status }, ...warnings };
}

export const decodeUplinkCommand: Command = {
  group: 'decode',
  name: 'uplink',
  summary: "decode an Axon uplink payload (batch, alert, alert group or status) to JSON with the site's channel table",
  usage: '(<hex> | --follow <mqtt-url>) --site <file> [--previous <file> | --state <dir>] [--manifests <dir>] [--compact | --json]',
  positionals: '<hex>  the application payload (LoRaWAN FRMPayload, decrypted), binary or CBOR; not with --follow',
  flags: {
    site: { type: 'string', value: '<file>', description: "the gateway's site file: it gives the channel numbering", required: true },
    ...PREVIOUS_TABLE_FLAGS,
    manifests: MANIFESTS_FLAG,
    compact: { type: 'boolean', description: 'print the JSON on one line' },
    follow: { type: 'string', value: '<mqtt-url>', description: "subscribe at this broker (mqtt://[user:password@]host:port) and print every reading, alert and status live, one line each, until Ctrl-C" },
    json: { type: 'boolean', description: 'with --follow: one JSON object per line ({"source","type":"reading"|"alert"|"status","time",…})' },
    prefix: { type: 'string', value: '<prefix>', description: "with --follow: topic prefix of the gateways' own MQTT uplinks (<prefix>/<gateway>/up/<port>)", default: 'axon' },
  },
  details:
    'A malformed payload is an error naming the byte where decoding failed. Readings of channels the table does not\nknow (a gateway with a newer table) are skipped with a warning; the rest decode. Device, point and time name a\nreading: no two readings of a point share a time, so one seen again is a copy of a resent frame.\n' +
    'With --follow it subscribes to application/+/device/+/event/up (a network server\'s ChirpStack-style events, base64\n' +
    '"data"; any application name or id) and <prefix>/+/up/+ (gateways publishing over MQTT), and prints one line per\n' +
    'reading (device.point = value unit), alert and status, prefixed by the time and the DevEUI or gateway id. A message\n' +
    'that does not decode is reported on stderr with its hex, and following goes on.',
  examples: ['axon decode uplink 310000000000 --site manifests/sites/demo.json',
    'axon decode uplink --follow mqtt://127.0.0.1:1883 --site manifests/sites/demo.json', 'axon decode uplink 116a573e002fc13ecc70 --site manifests/sites/demo.json --compact', 'axon lorawan decode <phy hex> --nwkskey … --appskey … (its "payload" is what this command takes)'],

  async run({ flags, positionals }, io) {
    const follow = flags.string('follow');
    if (follow !== undefined && positionals.length > 0) throw new UsageError('give a payload or --follow <mqtt-url>, not both', 'decode uplink');
    if (follow === undefined && (flags.has('json') || flags.has('prefix'))) throw new UsageError('--json and --prefix go with --follow <mqtt-url>', 'decode uplink');
    const bytes = follow === undefined ? hexFromPositionals(positionals, 'decode uplink') : undefined;
    const { site, manifests } = siteInputs(flags, io);
    const table = gatewayChannelTable(flags, site, manifests);
    if (bytes === undefined) {
      const prefix = flags.string('prefix') ?? 'axon';
      if (/[#+/]/.test(prefix) || prefix === '') throw new UsageError(`--prefix "${prefix}" must be one topic level without wildcards`, 'decode uplink');
      const summary = await followUplinks({ url: follow ?? '', table, prefix, json: flags.bool('json'), out: io.out, err: io.err, stop: untilSignal() });
      io.err(`stopped: ${summary.messages} messages, ${summary.readings} readings, ${summary.alerts} alerts, ${summary.statuses} statuses, ${summary.errors} not decoded`);
      return 0;
    }
    io.out(JSON.stringify(readable(decodeUplinkOnNode(bytes, table)), null, flags.bool('compact') ? undefined : 2));
    return 0;
  },
};

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
import type { Command } from '../command.js';
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
  usage: '<hex> --site <file> [--previous <file> | --state <dir>] [--manifests <dir>] [--compact]',
  positionals: '<hex>  the application payload (LoRaWAN FRMPayload, decrypted), binary or CBOR',
  flags: {
    site: { type: 'string', value: '<file>', description: "the gateway's site file: it gives the channel numbering", required: true },
    ...PREVIOUS_TABLE_FLAGS,
    manifests: MANIFESTS_FLAG,
    compact: { type: 'boolean', description: 'print the JSON on one line' },
  },
  details:
    'A malformed payload is an error naming the byte where decoding failed. Readings of channels the table does not\nknow (a gateway with a newer table) are skipped with a warning; the rest decode. Device, point and time name a\nreading: no two readings of a point share a time, so one seen again is a copy of a resent frame.',
  examples: ['axon decode uplink 310000000000 --site manifests/sites/demo.json', 'axon decode uplink 116a573e002fc13ecc70 --site manifests/sites/demo.json --compact', 'axon lorawan decode <phy hex> --nwkskey … --appskey … (its "payload" is what this command takes)'],

  async run({ flags, positionals }, io) {
    const bytes = hexFromPositionals(positionals, 'decode uplink');
    const { site, manifests } = siteInputs(flags, io);
    const table = gatewayChannelTable(flags, site, manifests);
    io.out(JSON.stringify(readable(decodeUplinkOnNode(bytes, table)), null, flags.bool('compact') ? undefined : 2));
    return 0;
  },
};

/**
 * `axon mqtt sign-downlink`: the platform's side of signed MQTT downlinks
 * (docs/mqtt.md, "Signed downlinks"). Wraps downlink bytes in the envelope a
 * gateway with mqtt.downlinkKeyFile obeys, for scripts and for checking a
 * platform's own implementation byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { toHex } from '../../../drivers/bytes.js';
import { topicScheme } from '../../../firmware/rpi/mqtt/topics.js';
import { DOWNLINK_COUNTER_MAX, readDownlinkKey, signDownlink, SIGNED_DOWNLINK_TAG_BYTES } from '../../../firmware/rpi/mqtt/signed-downlink.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { hexFromPositionals } from './hex-input.js';

const NAME = 'mqtt sign-downlink';

export const mqttSignDownlink: Command = {
  group: 'mqtt',
  name: 'sign-downlink',
  summary: "sign a downlink for a gateway that obeys signed downlinks only (HMAC-SHA256, rising counter)",
  usage: '--key-file <file> --counter <n> --gateway <id> --port <n> [--prefix <p>] [--out <file>] <hex>',
  positionals: '<hex>  the downlink bytes (docs/gateway.md, "Downlinks"), e.g. 02 0003 000258; quote it if it has spaces',
  flags: {
    'key-file': { type: 'string', value: '<file>', description: "the gateway's downlink key file (hex, as in its host config's mqtt.downlinkKeyFile)", required: true },
    counter: { type: 'string', value: '<n>', description: `1–${DOWNLINK_COUNTER_MAX}, above every counter this gateway accepted before (keep one per gateway)`, required: true },
    gateway: { type: 'string', value: '<id>', description: "the gateway id (signed: a downlink for one gateway is refused by another)", required: true },
    port: { type: 'string', value: '<n>', description: 'the downlink port, the last level of the down topic (signed too)', required: true },
    prefix: { type: 'string', value: '<p>', description: 'first topic level, for the topic printed on stderr', default: 'axon' },
    out: { type: 'string', value: '<file>', description: 'also write the envelope as binary to this file (for mosquitto_pub -f)' },
  },
  details: [
    'Prints the envelope as hex on stdout, and the topic to publish it to on stderr. Envelope:',
    `  D1 | counter (4 bytes, big endian) | downlink | tag (${SIGNED_DOWNLINK_TAG_BYTES} bytes)`,
    `tag = the first ${SIGNED_DOWNLINK_TAG_BYTES} bytes of HMAC-SHA256(key, gateway id | 00 | port | D1 | counter | downlink).`,
    'The gateway refuses a counter that is not above the last one it accepted, also after a restart.',
  ].join('\n'),
  examples: [
    'axon mqtt sign-downlink --key-file gw-7.key --counter 42 --gateway gw-7 --port 10 "02 0003 000258"',
    'axon mqtt sign-downlink --key-file gw-7.key --counter 43 --gateway gw-7 --port 10 --out ack.bin 01 05 && mosquitto_pub -q 1 -t axon/gw-7/down/10 -f ack.bin',
  ],

  async run({ flags, positionals }, io) {
    const payload = hexFromPositionals(positionals, NAME);
    const counter = flags.requiredInt('counter', { min: 1, max: DOWNLINK_COUNTER_MAX });
    const port = flags.requiredInt('port', { min: 0, max: 255 });
    const gatewayId = flags.requiredString('gateway');
    const prefix = flags.string('prefix') ?? 'axon';
    let topics;
    try {
      topics = topicScheme(prefix, gatewayId);
    } catch (error) {
      throw new UsageError((error as Error).message, NAME);
    }
    const envelope = signDownlink({ key: readDownlinkKey(flags.requiredString('key-file')), gatewayId, port, counter, payload });
    const out = flags.string('out');
    if (out !== undefined) writeFileSync(out, envelope);
    io.out(toHex(envelope));
    io.err(`publish it with QoS 1 to ${topics.downFilter.replace('+', String(port))}`);
    return 0;
  },
};

/**
 * The reference ack service as a process, until Ctrl-C:
 *
 *   node --import tsx simulators/ack-service/run-ack-service.ts --mqtt mqtt://127.0.0.1:1883 [--app <application ID>]
 *
 * Point it at the broker your network server publishes to (`axon ns sim`,
 * ChirpStack v4). docs/app-ack.md describes the protocol.
 */
import { parseArgs } from 'node:util';
import { MqttAckService } from './mqtt-service.js';

const HELP = `Usage: run-ack-service --mqtt <url> [options]

Acknowledges Axon gateways' sequenced data frames (docs/app-ack.md): subscribes to
application/<application ID>/device/+/event/up and publishes data-ack downlinks to
application/<application ID>/device/<devEUI>/command/down (FPort 10).

Options:
  --mqtt <url>           broker of the network server's MQTT integration (required)
  --app <application ID> one application only, by its ChirpStack ID (a UUID; default: every application, '+')
  --username <name>      MQTT user
  --password <secret>    MQTT password
  --every-frames <n>     acknowledge unasked after n frames (default 24)
  --every-minutes <m>    …or once the oldest unacknowledged frame is m minutes old (default 60)
  --quiet                print only problems and the summary
  --help                 this text

Example:
  node --import tsx simulators/ack-service/run-ack-service.ts --mqtt mqtt://127.0.0.1:1883 --app 5ad0c7e4-8f0b-4b53-9a1d-3c2f6f1e0a01
`;

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) {
    process.stderr.write(`--${name} "${text}" must be a positive number\n`);
    process.exit(2);
  }
  return value;
}

const { values } = parseArgs({
  options: {
    mqtt: { type: 'string' }, app: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' },
    'every-frames': { type: 'string' }, 'every-minutes': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' },
  },
  strict: true,
});
if (values.help === true) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (values.mqtt === undefined) {
  process.stderr.write(`--mqtt is required\n\n${HELP}`);
  process.exit(2);
}
const everyFrames = positive('every-frames', values['every-frames']);
const everyMinutes = positive('every-minutes', values['every-minutes']);
const service = await MqttAckService.connect({
  url: values.mqtt,
  application: values.app,
  username: values.username,
  password: values.password,
  ...(everyFrames === undefined ? {} : { everyFrames }),
  ...(everyMinutes === undefined ? {} : { everyMs: everyMinutes * 60_000 }),
  onFrame: (f) => {
    if (values.quiet !== true) process.stdout.write(`${f.devEui} seq ${f.seq}${f.ackRequested ? ' A' : ''}${f.duplicate ? ' duplicate' : ''}${f.reason === undefined ? '' : ` → data-ack (${f.reason})`}\n`);
  },
  onProblem: (message) => process.stderr.write(`${message}\n`),
});
process.stdout.write(`ack service on ${values.mqtt}, application ${values.app ?? '+'}\n`);
process.once('SIGINT', () => {
  const s = service.policy.stats;
  process.stdout.write(`frames ${s.frames}, duplicates ${s.duplicates}, data-acks ${s.acks}\n`);
  void service.close().then(() => process.exit(0));
});

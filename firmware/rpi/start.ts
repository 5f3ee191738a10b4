/**
 * `npm start`: the Axon gateway pipeline on the demo site
 * (manifests/sites/demo.json), with a live view. Every bus is a real
 * pseudo-terminal (socat) opened through serialport's real bindings;
 * simulated devices answer on the far end in accelerated time; uplinks go
 * over LoRaWAN (our MAC, a simulated channel, the network-server simulator)
 * or plain MQTT to an embedded broker, where a subscriber decodes them.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadShippedManifests, loadSiteFile } from '../../sdk/site/validate.js';
import { startDemo } from './demo/demo.js';

const HELP = `Usage: npm start -- [options]

Runs the Axon gateway pipeline (scheduler, drivers, alert rules, batches,
store-and-forward log, uplink) on the demo site manifests/sites/demo.json: 11
Modbus devices and a DL/T 645 meter on one RS-485 bus at 9600 8N1, a CJ/T 188
water meter on 2400 8E1. Each bus is a socat pseudo-terminal; the gateway uses
serialport's real bindings. Uplinks go over the site's LoRaWAN (CN470, OTAA,
ADR): the gateway's class A MAC joins and sends confirmed frames over a
simulated LoRa channel to the network-server simulator, which publishes
ChirpStack-style events to an embedded MQTT broker; a subscriber decodes them
as the cloud would. Simulated time runs faster than real time (poll and batch
periods are scaled to match) so the storm (water rising in the underpasses, a
fire in the pump room) plays out in minutes. Radio time is not sped up:
receive windows and airtime stay real, so at high speeds the LoRaWAN link
carries less than the sped-up site produces and the log grows, as it would.

Options:
  --uplink <kind>      lorawan (default) or mqtt (straight to the broker)
  --speed <n>          simulated seconds per real second (default 60)
  --start-minutes <n>  simulated minute to start at (default 40: the storm starts at 60)
  --duration <s>       stop after s real seconds (default: run until Ctrl-C)
  --broker <url>       also publish everything to this MQTT broker, e.g.
                       mqtt://127.0.0.1:1883 or mqtt://user:password@host:1883
                       (the gateway's uplinks or the network server's
                       ChirpStack-style events, statuses, acks), besides the
                       embedded one
  --plain              one line per poll and per alert instead of the live table
                       (default when not a terminal)
  -h, --help           show this help

The live table fits an 80x24 terminal: active alarms (level, value, threshold)
come before the devices and never scroll off; devices that do not fit are
counted on the last row.

Examples:
  npm start -- --speed 120 --duration 30 --plain
  npm start -- --broker mqtt://127.0.0.1:1883
  (then elsewhere: npx axon decode uplink --follow mqtt://127.0.0.1:1883 --site manifests/sites/demo.json)
`;

function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\nRun 'npm start -- --help' for usage.\n`);
  process.exit(2);
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) fail(`--${name} must be a positive number, got '${text}'`);
  return value;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      uplink: { type: 'string' },
      speed: { type: 'string' },
      'start-minutes': { type: 'string' },
      duration: { type: 'string' },
      broker: { type: 'string' },
      plain: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const args = parsed.values;
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const uplink = args.uplink ?? 'lorawan';
if (uplink !== 'lorawan' && uplink !== 'mqtt') fail(`--uplink must be lorawan or mqtt, got '${uplink}'`);
const broker = args.broker;
if (broker !== undefined && !/^mqtts?:\/\/[^/]+/.test(broker)) fail(`--broker must be an mqtt:// or mqtts:// URL such as mqtt://127.0.0.1:1883, got '${broker}'`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifests = loadShippedManifests();
const gateway = await startDemo({
  site: loadSiteFile(path.join(root, 'manifests/sites/demo.json'), { manifests }),
  manifests,
  speed: positive('speed', args.speed, 60),
  startMinutes: args['start-minutes'] === undefined ? 40 : Number(args['start-minutes']),
  tty: !args.plain && process.stdout.isTTY === true,
  write: (text) => process.stdout.write(text),
  uplink,
  ...(broker === undefined ? {} : { broker }),
  size: () => ({ columns: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 }),
}).catch((error: Error) => fail(error.message));

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const summary = await gateway.stop();
  process.stdout.write(`\n${summary}\n`);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (args.duration !== undefined) setTimeout(() => void stop(), positive('duration', args.duration, 0) * 1000);

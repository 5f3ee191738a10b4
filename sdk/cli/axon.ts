/**
 * `axon`: the field engineer's command line. Dispatches `axon <group> <command>`
 * to sdk/cli/commands/*, renders help from each command's flag table, and maps
 * failures to exit codes: 0 ok, 1 the operation failed (an AxonError says what,
 * where and how to fix it), 2 the command line was wrong.
 */
import { readFileSync } from 'node:fs';
import { AxonError } from '../../drivers/errors.js';
import { formatFlags, parseCommandLine, UsageError } from './args.js';
import { commandPath, type Command, type CommandIo } from './command.js';
import { decodeCjt188 } from './commands/decode-cjt188.js';
import { decodeDlt645 } from './commands/decode-dlt645.js';
import { dlt645Read } from './commands/dlt645-read.js';
import { dlt645ReadAddress } from './commands/dlt645-read-address.js';
import { modbusRead } from './commands/modbus-read.js';
import { modbusScan } from './commands/modbus-scan.js';
import { LORAWAN_COMMANDS, LORAWAN_GROUP } from './commands/lorawan-commands.js';
import { plan } from './commands/plan.js';
import { nsSim } from './commands/ns-sim.js';
import { simDevice } from './commands/sim-device.js';
import { manifestValidate } from './commands/manifest-validate.js';
import { manifestConformance } from './commands/manifest-conformance.js';
import { siteValidate } from './commands/site-validate.js';
import { codec } from './commands/codec.js';
import { decodeUplinkCommand } from './commands/decode-uplink.js';
import { gatewayCheck, gatewayRun } from './commands/gateway.js';
import { fleetSim } from './commands/fleet-sim.js';
import { fleetMerge } from './commands/fleet-merge.js';
import { mqttSignDownlink } from './commands/mqtt-sign-downlink.js';

const GROUPS: ReadonlyArray<{ name: string; summary: string }> = [
  { name: 'modbus', summary: 'talk to Modbus RTU (RS-485) and Modbus TCP devices' },
  { name: 'dlt645', summary: 'read DL/T 645 electricity meters' },
  { name: 'decode', summary: 'decode captured meter frames and Axon uplinks to JSON' },
  { name: 'sim', summary: 'run simulated devices on virtual serial ports or Modbus TCP' },
  LORAWAN_GROUP,
  { name: 'plan', summary: 'bus-time plan of a site file: every request, its wire time, cycle and utilisation' },
  { name: 'ns', summary: 'LoRaWAN network-server simulator: Semtech UDP in, ChirpStack v4 MQTT integration out' },
  { name: 'manifest', summary: 'device manifests (vendors): validate them, run the conformance check' },
  { name: 'site', summary: 'site files: validate one and summarise what a gateway runs from it' },
  { name: 'codec', summary: "the site's uplink decoder for The Things Stack / ChirpStack, and its channel table" },
  { name: 'gateway', summary: 'the Raspberry Pi gateway: run it on a site file and host config, or check them' },
  { name: 'fleet', summary: 'a district of gateways and end devices over LoRaWAN in virtual time; merge sharded runs' },
  { name: 'mqtt', summary: "the platform's side of MQTT downlinks: sign them for gateways that require it" },
];

export const COMMANDS: readonly Command[] = [
  modbusRead, modbusScan, dlt645Read, dlt645ReadAddress, decodeDlt645, decodeCjt188, decodeUplinkCommand, simDevice, ...LORAWAN_COMMANDS, plan, nsSim,
  manifestValidate, manifestConformance, siteValidate, codec, gatewayRun, gatewayCheck, fleetSim, fleetMerge, mqttSignDownlink,
];

/** Set AXON_DEBUG=1 to see stack traces of failures. */
const DEBUG = process.env.AXON_DEBUG !== undefined && process.env.AXON_DEBUG !== '' && process.env.AXON_DEBUG !== '0';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export function topHelp(): string {
  const lines = [
    `axon ${version()} — Axon edge-gateway toolkit: talk to field devices, decode frames, simulate devices, check manifests and sites`,
    '',
    'Usage:',
    '  axon <group> <command> [flags]',
    '  axon <group> <command> --help     every flag of a command, with defaults and examples',
    '  axon --version',
    '',
    'Commands:',
  ];
  const width = Math.max(...COMMANDS.map((c) => commandPath(c).length)) + 2;
  for (const group of GROUPS) {
    for (const command of COMMANDS.filter((c) => c.group === group.name)) lines.push(`  ${commandPath(command).padEnd(width)}${command.summary}`);
  }
  lines.push('', 'Example (two terminals):',
    '  axon sim device --manifest manifests/devices/water-level-rs485.json --pty /tmp/ttyV0',
    '  axon modbus read --port /tmp/ttyV0 --unit 1 --fc 3 --address 0 --count 7');
  return lines.join('\n');
}

export function groupHelp(group: string): string {
  const info = GROUPS.find((g) => g.name === group);
  const commands = COMMANDS.filter((c) => c.group === group);
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `axon ${group} — ${info?.summary ?? ''}`,
    '',
    'Usage:',
    `  axon ${group} <command> [flags]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    `Run \`axon ${group} <command> --help\` for the flags of each.`,
    '',
    'Examples:',
    ...commands.map((c) => `  ${c.examples[0]}`),
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const lines = [`axon ${commandPath(command)} — ${command.summary}`, '', 'Usage:', `  axon ${commandPath(command)} ${command.usage}`, ''];
  if (command.positionals !== undefined) lines.push('Arguments:', `  ${command.positionals}`, '');
  lines.push('Flags:', formatFlags(command.flags), '');
  if (command.details !== undefined) lines.push(command.details, '');
  lines.push('Examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

const isHelp = (word: string | undefined) => word === '--help' || word === '-h' || word === 'help';

/** Run one command line; returns the exit code. Never calls process.exit itself. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  try {
    const [group, name, ...rest] = argv;
    if (group === undefined) {
      io.err(topHelp());
      return 2;
    }
    if (isHelp(group)) {
      io.out(topHelp());
      return 0;
    }
    if (group === '--version' || group === '-v' || group === 'version') {
      io.out(version());
      return 0;
    }
    if (!GROUPS.some((g) => g.name === group)) {
      throw new UsageError(`unknown command "${group}"; the command groups are ${GROUPS.map((g) => g.name).join(', ')}`, '');
    }
    // A one-word command (`axon plan --site …`): the group is the command.
    const single = COMMANDS.find((c) => c.group === group && c.name === '');
    if (single !== undefined) {
      const parsed = parseCommandLine(argv.slice(1), single.flags, commandPath(single), single.positionals !== undefined);
      if (parsed.help) {
        io.out(commandHelp(single));
        return 0;
      }
      return await single.run(parsed, io);
    }
    if (name === undefined || isHelp(name)) {
      if (name === undefined) {
        io.err(groupHelp(group));
        return 2;
      }
      io.out(groupHelp(group));
      return 0;
    }
    const command = COMMANDS.find((c) => c.group === group && c.name === name);
    if (command === undefined) {
      const names = COMMANDS.filter((c) => c.group === group).map((c) => c.name);
      throw new UsageError(`unknown command "${group} ${name}"; \`axon ${group}\` has ${names.join(', ')}`, group);
    }
    const parsed = parseCommandLine(rest, command.flags, commandPath(command), command.positionals !== undefined);
    if (parsed.help) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(parsed, io);
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CommandIo): number {
  if (error instanceof UsageError) {
    const target = error.command === '' ? '' : ` ${error.command}`;
    io.err(`axon: ${error.message}\nRun \`axon${target} --help\` for usage.`);
    return 2;
  }
  if (error instanceof AxonError) {
    // The message already carries where it happened and how to fix it.
    io.err(`axon: ${error.message}`);
    if (DEBUG) io.err(error.stack ?? '');
    return 1;
  }
  const text = error instanceof Error ? error.message : String(error);
  io.err(`axon: unexpected error: ${text}${DEBUG ? '' : ' (set AXON_DEBUG=1 for details)'}`);
  if (DEBUG && error instanceof Error) io.err(error.stack ?? '');
  return 1;
}

const nodeIo: CommandIo = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  errIsTty: process.stderr.isTTY === true,
};

// `axon … | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await main(process.argv.slice(2), nodeIo);
process.exitCode = code;
// Every command closes what it opened; should a native handle still linger, do not hang a script.
setTimeout(() => process.exit(code), 2000).unref();

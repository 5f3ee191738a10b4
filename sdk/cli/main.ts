/**
 * The `axon` dispatcher, apart from the process it runs in (axon.ts): turns
 * `axon <group> <command>` into a command from the registry, renders help from
 * each command's flag table, and maps failures to exit codes: 0 ok, 1 the
 * operation failed (an AxonError says what, where and how to fix it), 2 the
 * command line was wrong. Tests call `main` in-process with their own CommandIo.
 */
import { readFileSync } from 'node:fs';
import { AxonError } from '../../drivers/errors.js';
import { formatFlags, parseCommandLine, UsageError } from './args.js';
import { commandPath, type Command, type CommandIo } from './command.js';
import { COMMAND_ENTRIES, GROUPS, entriesOf, findEntry } from './registry.js';

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
  const width = Math.max(...COMMAND_ENTRIES.map((c) => commandPath(c).length)) + 2;
  for (const group of GROUPS) {
    for (const entry of entriesOf(group.name)) lines.push(`  ${commandPath(entry).padEnd(width)}${entry.summary}`);
  }
  lines.push('', 'Example (two terminals):',
    '  axon sim device --manifest manifests/devices/water-level-rs485.json --pty /tmp/ttyV0',
    '  axon modbus read --port /tmp/ttyV0 --unit 1 --fc 3 --address 0 --count 7');
  return lines.join('\n');
}

/** Loads the group's commands: their examples are part of the page. */
export async function groupHelp(group: string): Promise<string> {
  const info = GROUPS.find((g) => g.name === group);
  const commands = await Promise.all(entriesOf(group).map((entry) => entry.load()));
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
    const singleEntry = findEntry(group, '');
    if (singleEntry !== undefined) {
      const single = await singleEntry.load();
      const parsed = parseCommandLine(argv.slice(1), single.flags, commandPath(single), single.positionals !== undefined);
      if (parsed.help) {
        io.out(commandHelp(single));
        return 0;
      }
      return await single.run(parsed, io);
    }
    if (name === undefined || isHelp(name)) {
      if (name === undefined) {
        io.err(await groupHelp(group));
        return 2;
      }
      io.out(await groupHelp(group));
      return 0;
    }
    const entry = findEntry(group, name);
    if (entry === undefined) {
      const names = entriesOf(group).map((c) => c.name);
      throw new UsageError(`unknown command "${group} ${name}"; \`axon ${group}\` has ${names.join(', ')}`, group);
    }
    const command = await entry.load();
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

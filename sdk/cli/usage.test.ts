/** Help, version and command-line mistakes, for every command, through the real launcher. */
import test from 'ava';

// Serial: each test spawns node + tsx; a file's worth at once on a shared 2-core machine makes them all slow.
import { runCli } from './test-kit.js';

/** Every command with the flags its help must mention and one required flag to leave out. */
const COMMANDS: Array<{ path: string[]; flags: string[]; minimal: string[]; required?: string }> = [
  {
    path: ['modbus', 'read'],
    flags: ['--port', '--baud', '--parity', '--stop', '--unit', '--fc', '--address', '--count', '--timeout', '--retries', '--json'],
    minimal: ['--port', '/tmp/nothing', '--unit', '1', '--address', '0'],
    required: '--count',
  },
  {
    path: ['modbus', 'scan'],
    flags: ['--port', '--bauds', '--parities', '--stop', '--units', '--timeout', '--json'],
    minimal: [],
    required: '--port',
  },
  {
    path: ['dlt645', 'read'],
    flags: ['--port', '--baud', '--parity', '--address', '--di', '--json'],
    minimal: ['--port', '/tmp/nothing', '--address', '000000000161'],
    required: '--di',
  },
  { path: ['dlt645', 'read-address'], flags: ['--port', '--baud', '--parity', '--json'], minimal: [], required: '--port' },
  { path: ['decode', 'dlt645'], flags: ['<hex>', '--edition', '--compact'], minimal: [] },
  { path: ['decode', 'cjt188'], flags: ['<hex>', '--compact'], minimal: [] },
  {
    path: ['sim', 'device'],
    flags: ['--manifest', '--pty', '--tcp', '--unit', '--fault', '--quiet', '--interval', 'wrong-unit'],
    minimal: ['--pty', '/tmp/nothing'],
    required: '--manifest',
  },
];

for (const command of COMMANDS) {
  const name = command.path.join(' ');

  test.serial(`axon ${name} --help lists every flag with defaults and an example`, async (t) => {
    const result = await runCli([...command.path, '--help']);
    t.is(result.code, 0, result.stderr);
    for (const flag of command.flags) t.true(result.stdout.includes(flag), `help of ${name} mentions ${flag}`);
    t.regex(result.stdout, /Examples:\n {2}axon /);
    if (command.flags.includes('--baud')) t.regex(result.stdout, /--baud <n>\s+serial baud rate \(default \d+\)/);
  });

  test.serial(`axon ${name} rejects an unknown flag with exit 2`, async (t) => {
    const result = await runCli([...command.path, '--bogus-flag', '1']);
    t.is(result.code, 2);
    t.regex(result.stderr, /unknown flag --bogus-flag/);
    t.regex(result.stderr, new RegExp(`axon ${name} --help`));
  });

  if (command.required !== undefined) {
    const required = command.required;
    test.serial(`axon ${name} without ${required} exits 2 naming the flag`, async (t) => {
      const result = await runCli([...command.path, ...command.minimal]);
      t.is(result.code, 2);
      t.regex(result.stderr, new RegExp(`missing required flag ${required}`));
    });
  }
}

test.serial('axon --help lists every command', async (t) => {
  const top = await runCli(['--help']);
  t.is(top.code, 0);
  for (const name of ['modbus read', 'modbus scan', 'dlt645 read', 'decode dlt645', 'decode cjt188', 'sim device', 'lorawan encode', 'lorawan airtime', 'plan', 'ns sim']) t.true(top.stdout.includes(name), name);
});

for (const group of ['modbus', 'dlt645', 'decode', 'sim']) {
  test.serial(`axon ${group} --help lists the group's commands`, async (t) => {
    const help = await runCli([group, '--help']);
    t.is(help.code, 0, group);
    t.regex(help.stdout, new RegExp(`Usage:\\n  axon ${group} <command>`));
  });
}

test.serial('axon --version prints the package version', async (t) => {
  const result = await runCli(['--version']);
  t.is(result.code, 0);
  t.regex(result.stdout, /^\d+\.\d+\.\d+\n$/);
});

test.serial('unknown command groups and commands are usage errors listing what exists', async (t) => {
  const group = await runCli(['modbsu', 'read']);
  t.is(group.code, 2);
  t.regex(group.stderr, /unknown command "modbsu"; the command groups are modbus, dlt645, decode, sim/);
  const command = await runCli(['modbus', 'erase']);
  t.is(command.code, 2);
  t.regex(command.stderr, /`axon modbus` has read, scan, write/);
});

test.serial('a flag without its value is a usage error', async (t) => {
  const missingValue = await runCli(['modbus', 'read', '--port']);
  t.is(missingValue.code, 2);
  t.regex(missingValue.stderr, /flag --port needs a value/);
});

test.serial('bad Modbus flag values name the flag and the allowed values', async (t) => {
  const base = ['modbus', 'read', '--port', '/tmp/x', '--address', '0'];
  const parity = await runCli([...base, '--unit', '1', '--count', '1', '--parity', 'mark']);
  t.is(parity.code, 2);
  t.regex(parity.stderr, /--parity "mark" is not allowed: use one of none, even, odd/);
  const unit = await runCli([...base, '--unit', '300', '--count', '1']);
  t.is(unit.code, 2);
  t.regex(unit.stderr, /--unit 300 is out of range: allowed 1–247/);
  const count = await runCli([...base, '--unit', '1', '--count', 'ten']);
  t.is(count.code, 2);
  t.regex(count.stderr, /--count must be an integer 1–125, not "ten"/);
});

test.serial('bad scan ranges and DL/T 645 identifiers are usage errors', async (t) => {
  const units = await runCli(['modbus', 'scan', '--port', '/tmp/x', '--units', '1-5,9-3']);
  t.is(units.code, 2);
  t.regex(units.stderr, /--units: range "9-3" runs backwards/);
  const badDi = await runCli(['dlt645', 'read', '--port', '/tmp/x', '--address', '000000000161', '--di', '0001000G']);
  t.is(badDi.code, 2);
  t.regex(badDi.stderr, /--di "0001000G" must be 8 hex digits/);
  // A 4-digit DI is a valid 1997 DI: this run fails on the missing port (exit 1), not on usage.
  const di1997 = await runCli(['dlt645', 'read', '--port', '/tmp/axon-no-such-tty', '--address', '000000000161', '--di', '9010']);
  t.is(di1997.code, 1);
  t.regex(di1997.stderr, /does not exist/);
});

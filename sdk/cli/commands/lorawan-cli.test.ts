/** `axon lorawan …` through the real launcher, as a field engineer runs it. */
import test from 'ava';
import { runCli } from '../test-kit.js';

const NWKSKEY = '0102030405060708090a0b0c0d0e0f10';
const APPSKEY = '100f0e0d0c0b0a090807060504030201';
const PUBLIC_VECTOR = '80040302010000000ae264d4f7b56a0e75';

const registered = runCli(['lorawan', '--help']).then((r) => r.code === 0);
async function requireRegistered(t: { fail(message: string): void }): Promise<boolean> {
  if (await registered) return true;
  t.fail('`axon lorawan` is not registered: add its commands to sdk/cli/registry.ts');
  return false;
}

test('encode prints the DESIGN.md public vector exactly', async (t) => {
  if (!(await requireRegistered(t))) return;
  const result = await runCli(['lorawan', 'encode', '--devaddr', '01020304', '--nwkskey', NWKSKEY, '--appskey', APPSKEY, '--fcnt', '0', '--fport', '10', '--confirmed', '--payload', '01020304']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, `${PUBLIC_VECTOR}\n`);
});

test('decode of the public vector shows the fields, MIC ok and payload 01020304', async (t) => {
  if (!(await requireRegistered(t))) return;
  const result = await runCli(['lorawan', 'decode', PUBLIC_VECTOR, '--nwkskey', NWKSKEY, '--appskey', APPSKEY]);
  t.is(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as Record<string, unknown>;
  t.like(json, { mType: 'confirmed-data-up', devAddr: '01020304', fCnt: 0, fPort: 10, frmPayload: 'e264d4f7', mic: 'b56a0e75', micOk: true, payload: '01020304' });
});

test('decode with a wrong NwkSKey reports micOk false and warns; without keys shows fields only', async (t) => {
  if (!(await requireRegistered(t))) return;
  const wrong = await runCli(['lorawan', 'decode', PUBLIC_VECTOR, '--nwkskey', APPSKEY, '--compact']);
  t.is(wrong.code, 0, wrong.stderr);
  t.like(JSON.parse(wrong.stdout), { micOk: false });
  t.regex(wrong.stderr, /MIC does not match/);
  const bare = JSON.parse((await runCli(['lorawan', 'decode', PUBLIC_VECTOR])).stdout) as Record<string, unknown>;
  t.is(bare.micOk, undefined);
  t.is(bare.payload, undefined);
});

test('join-request prints the 23-byte frame lora-packet makes for the same fields; decode verifies it', async (t) => {
  if (!(await requireRegistered(t))) return;
  const appKey = '2b7e151628aed2a6abf7158809cf4f3c';
  const result = await runCli(['lorawan', 'join-request', '--appkey', appKey, '--joineui', '70b3d57ed0000000', '--deveui', '0004a30b001c0530', '--devnonce', '0102']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout.trim(), '00000000d07ed5b37030051c000ba304000201f568ed0b');
  const decoded = await runCli(['lorawan', 'decode', result.stdout.trim(), '--appkey', appKey]);
  t.like(JSON.parse(decoded.stdout), { mType: 'join-request', joinEui: '70b3d57ed0000000', devEui: '0004a30b001c0530', devNonce: '0102', micOk: true });
});

test('airtime SF12/125 kHz with 51 bytes is 2793.472 ms (64-byte PHYPayload)', async (t) => {
  if (!(await requireRegistered(t))) return;
  const result = await runCli(['lorawan', 'airtime', '--sf', '12', '--bw', '125', '--payload-bytes', '51']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, '2793.472 ms\n');
  const json = await runCli(['lorawan', 'airtime', '--sf', '12', '--bw', '125', '--payload-bytes', '51', '--json']);
  t.is(json.code, 0, json.stderr);
  t.deepEqual(JSON.parse(json.stdout), { timeOnAirMs: 2793.472 });
});

test('every lorawan command has --help with its flags and an example', async (t) => {
  if (!(await requireRegistered(t))) return;
  const expected: Record<string, string[]> = {
    encode: ['--devaddr', '--nwkskey', '--appskey', '--fcnt', '--fport', '--confirmed', '--adr', '--ack', '--payload'],
    decode: ['<hex>', '--nwkskey', '--appskey'],
    'join-request': ['--appkey', '--joineui', '--deveui', '--devnonce'],
    airtime: ['--sf', '--bw', '--payload-bytes'],
  };
  for (const [name, flags] of Object.entries(expected)) {
    const result = await runCli(['lorawan', name, '--help']);
    t.is(result.code, 0, result.stderr);
    for (const flag of flags) t.true(result.stdout.includes(flag), `help of lorawan ${name} mentions ${flag}`);
    t.regex(result.stdout, /Examples:\n {2}axon lorawan /);
  }
  const group = await runCli(['lorawan', '--help']);
  t.regex(group.stdout, /encode[\s\S]*decode[\s\S]*join-request[\s\S]*airtime/);
});

test('command-line mistakes exit 2 and name the flag', async (t) => {
  if (!(await requireRegistered(t))) return;
  const short = await runCli(['lorawan', 'encode', '--devaddr', '010203', '--nwkskey', NWKSKEY, '--appskey', APPSKEY, '--fcnt', '0', '--fport', '1', '--payload', '00']);
  t.is(short.code, 2);
  t.regex(short.stderr, /--devaddr must be 8 hex digits/);
  const missing = await runCli(['lorawan', 'airtime', '--sf', '12', '--bw', '125']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /missing required flag --payload-bytes/);
  const badBw = await runCli(['lorawan', 'airtime', '--sf', '7', '--bw', '300', '--payload-bytes', '1']);
  t.is(badBw.code, 2);
  const malformed = await runCli(['lorawan', 'decode', '4004']);
  t.is(malformed.code, 1);
  t.regex(malformed.stderr, /not a valid LoRaWAN frame/);
});

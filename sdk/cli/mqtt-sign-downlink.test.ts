/** `axon mqtt sign-downlink` through the real launcher: help, the worked example of docs/mqtt.md, --out, mistakes. */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromHex } from '../../drivers/bytes.js';
import { MemoryKeyValueStore } from '../../drivers/ports/storage.js';
import { DownlinkVerifier } from '../../firmware/rpi/mqtt/signed-downlink.js';
import { runCli } from './test-kit.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const DOC = readFileSync(new URL('../../docs/mqtt.md', import.meta.url), 'utf8');

function keyFile(t: import('ava').ExecutionContext): { dir: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-sign-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const key = path.join(dir, 'gw.key');
  writeFileSync(key, `${KEY_HEX}\n`);
  return { dir, key };
}

test.serial('axon mqtt sign-downlink --help lists every flag, the envelope and examples', async (t) => {
  const help = await runCli(['mqtt', 'sign-downlink', '--help']);
  t.is(help.code, 0, help.stderr);
  for (const flag of ['--key-file', '--counter', '--gateway', '--port', '--prefix', '--out', '<hex>']) t.true(help.stdout.includes(flag), flag);
  t.regex(help.stdout, /D1 \| counter \(4 bytes, big endian\) \| downlink \| tag \(16 bytes\)/);
  t.regex(help.stdout, /Examples:\n {2}axon mqtt sign-downlink /);
  const group = await runCli(['mqtt', '--help']);
  t.is(group.code, 0);
  t.regex(group.stdout, /sign-downlink/);
});

test.serial('the worked example of docs/mqtt.md, as printed there; --out writes the same bytes; the gateway side opens them', async (t) => {
  const { dir, key } = keyFile(t);
  const out = path.join(dir, 'dl.bin');
  const result = await runCli(['mqtt', 'sign-downlink', '--key-file', key, '--counter', '42', '--gateway', 'longhua-gw-01', '--port', '10', '--out', out, '02 0003 000258']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, 'd10000002a020003000258e9c8c133e37f4d4be404cf4d00c37c88\n');
  t.is(result.stderr, 'publish it with QoS 1 to axon/longhua-gw-01/down/10\n');
  t.true(DOC.includes(`$ axon mqtt sign-downlink --key-file gw.key --counter 42 --gateway longhua-gw-01 --port 10 "02 0003 000258"\n${result.stdout}${result.stderr}`));
  const bytes = new Uint8Array(readFileSync(out));
  t.deepEqual(bytes, fromHex(result.stdout));
  const verifier = new DownlinkVerifier({ key: fromHex(KEY_HEX), gatewayId: 'longhua-gw-01', store: new MemoryKeyValueStore(), log: () => undefined });
  t.deepEqual(verifier.open('axon/longhua-gw-01/down/10', 10, bytes), fromHex('020003000258'));
});

test.serial('mistakes: exit 2 naming the flag; a bad key file exits 1 with a fix', async (t) => {
  const { dir, key } = keyFile(t);
  const base = ['mqtt', 'sign-downlink', '--key-file', key, '--gateway', 'gw-7', '--port', '10'];
  const noCounter = await runCli([...base, '01 05']);
  t.is(noCounter.code, 2);
  t.regex(noCounter.stderr, /missing required flag --counter/);
  const zero = await runCli([...base, '--counter', '0', '01 05']);
  t.is(zero.code, 2);
  t.regex(zero.stderr, /--counter 0 is out of range: allowed 1–4294967295/);
  const port = await runCli([...base.slice(0, -1), '256', '--counter', '1', '01 05']);
  t.is(port.code, 2);
  t.regex(port.stderr, /--port 256 is out of range/);
  const gateway = await runCli(['mqtt', 'sign-downlink', '--key-file', key, '--gateway', 'gw/7', '--port', '10', '--counter', '1', '01 05']);
  t.is(gateway.code, 2);
  t.regex(gateway.stderr, /gateway id 'gw\/7' must be 1-64 letters/);
  const noHex = await runCli([...base, '--counter', '1']);
  t.is(noHex.code, 2);
  const badKey = path.join(dir, 'bad.key');
  writeFileSync(badKey, 'not a key');
  const bad = await runCli(['mqtt', 'sign-downlink', '--key-file', badKey, '--gateway', 'gw-7', '--port', '10', '--counter', '1', '01 05']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /does not hold a hex key .*Fix: write a key of 16 to 64 bytes as hex/);
});

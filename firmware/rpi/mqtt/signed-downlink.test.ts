/**
 * Signed downlinks: the envelope checked against OpenSSL (the worked example of
 * docs/mqtt.md, computed here by `openssl dgst`, an implementation of its own),
 * every refusal, and the last accepted counter kept in the Node key-value store
 * across a restart.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromHex, toHex } from '../../../drivers/bytes.js';
import { MemoryKeyValueStore, type KeyValueStore } from '../../../drivers/ports/storage.js';
import { NodeKeyValueStore } from '../storage/index.js';
import { DOWNLINK_COUNTER_KEY, DownlinkVerifier, readDownlinkKey, signDownlink } from './signed-downlink.js';

const DOC = readFileSync(new URL('../../../docs/mqtt.md', import.meta.url), 'utf8');
const EXAMPLE = { keyHex: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', gatewayId: 'longhua-gw-01', port: 10, counter: 42, payload: '020003000258' };

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-signed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function verifier(store: KeyValueStore = new MemoryKeyValueStore(), key = fromHex(EXAMPLE.keyHex)) {
  const lines: string[] = [];
  const v = new DownlinkVerifier({ key, gatewayId: EXAMPLE.gatewayId, store, log: (line) => lines.push(line) });
  return { v, lines, store };
}

const sign = (counter: number, payload = fromHex(EXAMPLE.payload), overrides: { key?: Uint8Array; gatewayId?: string; port?: number } = {}) =>
  signDownlink({ key: overrides.key ?? fromHex(EXAMPLE.keyHex), gatewayId: overrides.gatewayId ?? EXAMPLE.gatewayId, port: overrides.port ?? EXAMPLE.port, counter, payload });

const TOPIC = 'axon/longhua-gw-01/down/10';

test('the worked example of docs/mqtt.md: OpenSSL computes the same tag, and the doc shows both', (t) => {
  const macInput = Buffer.concat([Buffer.from(EXAMPLE.gatewayId, 'ascii'), Buffer.from(`000ad1${EXAMPLE.counter.toString(16).padStart(8, '0')}${EXAMPLE.payload}`, 'hex')]);
  const digest = /= ([0-9a-f]{64})/.exec(execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${EXAMPLE.keyHex}`], { input: macInput, encoding: 'utf8' }))?.[1];
  t.truthy(digest);
  const envelope = toHex(sign(EXAMPLE.counter));
  t.is(envelope, `d10000002a${EXAMPLE.payload}${digest?.slice(0, 32)}`, '16-byte tag: the first half of the HMAC');
  t.true(DOC.includes(`SHA2-256(stdin)= ${digest}`), 'the doc shows the OpenSSL output');
  t.true(DOC.includes(envelope), 'the doc shows the envelope');
  t.true(DOC.includes(EXAMPLE.keyHex));
});

test('a signed downlink is opened; unsigned, altered, other-key, other-gateway, other-port and replayed ones are refused and counted', (t) => {
  const { v, lines } = verifier();
  t.deepEqual(v.open(TOPIC, 10, sign(42)), fromHex(EXAMPLE.payload));
  t.is(v.lastCounter, 42);

  t.is(v.open(TOPIC, 10, fromHex(EXAMPLE.payload)), undefined);
  t.regex(lines.at(-1) ?? '', /^downlink refused on axon\/longhua-gw-01\/down\/10: unsigned \(6 bytes, no signed envelope\); .*mqtt\.downlinkKeyFile.* Fix: sign it with `axon mqtt sign-downlink`.*\(1 refused so far\)$/);
  const altered = sign(43);
  altered[6] ^= 0x01;
  t.is(v.open(TOPIC, 10, altered), undefined);
  t.is(v.open(TOPIC, 10, sign(44, undefined, { key: new Uint8Array(32).fill(7) })), undefined);
  t.is(v.open(TOPIC, 10, sign(45, undefined, { gatewayId: 'longhua-gw-02' })), undefined);
  t.is(v.open(TOPIC, 10, sign(46, undefined, { port: 11 })), undefined);
  t.regex(lines.at(-1) ?? '', /signature does not match .*Fix: sign with this gateway's key, its gateway id and the port of the topic \(5 refused so far\)/);
  t.is(v.open(TOPIC, 10, sign(42)), undefined, 'the same downlink again');
  t.regex(lines.at(-1) ?? '', /replayed: counter 42 is not above the last accepted 42\. Fix: sign new downlinks with a counter above 42/);
  t.is(v.open(TOPIC, 10, sign(41)), undefined, 'an older one');
  t.deepEqual(v.refused, { unsigned: 1, 'bad-tag': 4, replayed: 2, 'not-stored': 0 });
  t.is(v.lastCounter, 42, 'no refusal moves the counter');
  t.deepEqual(v.open(TOPIC, 10, sign(4_294_967_295, Uint8Array.of(0x01, 0x05))), Uint8Array.of(0x01, 0x05), 'the largest counter');
  t.is(v.accepted, 2);
  t.false(lines.join('\n').includes(EXAMPLE.keyHex));
});

test('the last accepted counter survives a restart (Node key-value store); a counter that cannot be stored is not obeyed', (t) => {
  const dir = tempDir(t);
  const first = verifier(new NodeKeyValueStore(dir));
  const recorded = sign(7);
  t.truthy(first.v.open(TOPIC, 10, recorded));
  t.deepEqual(Array.from(readFileSync(path.join(dir, DOWNLINK_COUNTER_KEY))), [0, 0, 0, 7]);

  const restarted = verifier(new NodeKeyValueStore(dir));
  t.is(restarted.v.lastCounter, 7);
  t.is(restarted.v.open(TOPIC, 10, recorded), undefined, 'the recorded downlink is refused after a restart');
  t.regex(restarted.lines[0], /replayed: counter 7 is not above the last accepted 7/);

  const failing: KeyValueStore = { get: () => undefined, set: () => { throw new Error('ENOSPC: no space left on device'); }, delete: () => undefined };
  const full = verifier(failing);
  t.is(full.v.open(TOPIC, 10, sign(8)), undefined);
  t.regex(full.lines[0], /its counter could not be stored \(ENOSPC: no space left on device\)/);
  t.is(full.v.lastCounter, 0);

  const corrupt = new MemoryKeyValueStore();
  corrupt.set(DOWNLINK_COUNTER_KEY, Uint8Array.of(1, 2));
  const error = t.throws(() => verifier(corrupt));
  t.is((error as { code?: string }).code, 'MQTT_DOWNLINK_COUNTER');
  t.regex(String(error?.message), /stored downlink counter is 2 bytes, not 4.*Fix: give the gateway a new downlink key/);
});

test('key files: hex of 16 to 64 bytes; a bad one is refused with the file and a fix, never with its content', (t) => {
  const dir = tempDir(t);
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  t.deepEqual(readDownlinkKey(file('good', `  ${EXAMPLE.keyHex}\n`)), fromHex(EXAMPLE.keyHex));
  for (const [name, text, pattern] of [
    ['short', '00112233', /the downlink key is 4 bytes; it must be 16 to 64/],
    ['words', 'correct horse battery staple', /does not hold a hex key \(28 characters/],
    ['odd', 'abc', /does not hold a hex key/],
  ] as const) {
    const error = t.throws(() => readDownlinkKey(file(name, text)));
    t.is((error as { code?: string }).code, 'MQTT_DOWNLINK_KEY', name);
    t.regex(String(error?.message), pattern);
    t.regex(String(error?.message), new RegExp(`\\(at ${path.join(dir, name)}\\) Fix: write a key .* \`openssl rand -hex 32`));
    t.false(String(error?.message).includes(text), `${name}: the content is not shown`);
  }
  t.regex(String(t.throws(() => readDownlinkKey(path.join(dir, 'absent')))?.message), /cannot read the downlink key file: ENOENT.*Fix: check the path \(mqtt\.downlinkKeyFile\)/);
});

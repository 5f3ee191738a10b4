/**
 * The generated The Things Stack / ChirpStack codec, evaluated on Node with
 * new Function exactly as a network server would load it, against the
 * TypeScript encoder and the sdk decoder; plus its ES5.1 check, the spec's
 * worked example, and the runtime-neutrality of sdk/codec.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../drivers/bytes.js';
import { BatchEncoder, buildChannelTable, encodeAlert, packAlerts, type DecodedAlert, encodeCborBatch, encodeStatus, quantize, type ChannelTable } from '../../drivers/batch/index.js';
import { EXAMPLE_ALERT_HEX, EXAMPLE_FRAME_HEX, exampleSamples, exampleSite, fixtureManifests, fixtureSite } from '../../drivers/batch/test-support.js';
import { checkSource } from '../../test/purity/check-runtime-neutral.js';
import { decodeUplink, es5Violations, generateCodec } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

interface CodecResult {
  data?: { type: string; readings?: Array<Record<string, unknown>>; alert?: Record<string, unknown>; alerts?: Array<Record<string, unknown>>; status?: Record<string, unknown> };
  warnings?: string[];
  errors?: string[];
}
type Codec = (input: { bytes: number[]; fPort: number; recvTime?: string }) => CodecResult;

function load(source: string): Codec {
  return new Function(`${source}\nreturn decodeUplink;`)() as Codec;
}

const table = buildChannelTable(fixtureSite(), fixtureManifests());
const source = generateCodec(table, { name: 'batch-fixture' });
const codec = load(source);
/** The FPort the gateway sends a message on (drivers/gateway/gateway.ts defaults): alerts and alert groups on 11, the rest on 10. */
const portOf = (bytes: Uint8Array) => (bytes[0] === 0x12 || bytes[0] === 0x15 ? 11 : 10);
const run = (bytes: Uint8Array) => codec({ bytes: [...bytes], fPort: portOf(bytes), recvTime: '2026-07-15T12:00:00Z' });

/** What the generated codec should say, from the TypeScript decoder. */
function expected(bytes: Uint8Array, t: ChannelTable): CodecResult {
  const m = decodeUplink(bytes, t);
  const iso = (ms: number) => new Date(ms).toISOString();
  const warnings = m.warnings.length > 0 ? { warnings: m.warnings.map(() => 'w') } : {};
  if (m.type === 'batch') return { data: { type: 'batch', readings: m.readings.map((r) => ({ channel: r.channel, time: iso(r.t), device: r.device, point: r.point, unit: r.unit, value: r.value })) }, ...warnings };
  const timed = ({ t: time, ...rest }: DecodedAlert) => ({ ...rest, time: iso(time) });
  if (m.type === 'alert') return { data: { type: 'alert', alert: timed(m.alert) } };
  if (m.type === 'alerts') return { data: { type: 'alerts', alerts: m.alerts.map(timed) } };
  const { t: time, ...rest } = m.status;
  return { data: { type: 'status', status: { time: iso(time), ...rest } } };
}

function sameAsSdk(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, bytes: Uint8Array, tbl = table, c = codec): void {
  const got = c({ bytes: [...bytes], fPort: portOf(bytes) });
  const want = expected(bytes, tbl);
  t.deepEqual({ ...got, warnings: got.warnings?.map(() => 'w') }, { ...want, warnings: want.warnings }, `frame ${Buffer.from(bytes).toString('hex')}`);
}

test('the generated codec is ES5.1 (lexical check), well under 40 KB, and loads with new Function', (t) => {
  t.deepEqual(es5Violations(source), []);
  t.true(source.length < 40 * 1024, `${source.length} bytes`);
  t.is(typeof codec, 'function');
  t.true(source.includes('"underpass","level","cm",1,"n"'), 'the channel table is baked in');
});

test('the ES5 check catches what TTS would reject', (t) => {
  for (const bad of ['let x = 1;', 'const y = 2;', 'var f = (a) => a;', 'var s = `x`;', 'f(...args);', 'for (var k of list) {}', 'var m = new Map();', '[1].includes(1);', 'Number.isInteger(1);', 'var p = 2 ** 3;']) {
    t.true(es5Violations(bad).length > 0, bad);
  }
  t.deepEqual(es5Violations("var s = 'let const => `';\n// const in a comment\nvar a = [1, 2];"), []);
});

test('property: the generated codec decodes encoder output exactly as the TypeScript decoder does', (t) => {
  const live = table.channels;
  const sample = fc.integer({ min: 0, max: live.length - 1 }).chain((i) =>
    fc.record({
      channel: fc.constant(live[i]),
      t: fc.integer({ min: 0, max: 200 }).map((k) => Date.UTC(2026, 6, 15) + k * 60000 + 250),
      value: live[i].kind === 'bool' ? fc.boolean() : fc.integer({ min: -2e6, max: 2e6 }).map((n) => n / 10 ** live[i].decimals),
    }),
  );
  fc.assert(
    fc.property(fc.array(sample, { minLength: 1, maxLength: 80 }), fc.constantFrom(11, 51, 115, 242), (samples, limit) => {
      const encoder = new BatchEncoder(table);
      for (const s of samples) encoder.add({ device: s.channel.device, point: s.channel.point, t: s.t, value: s.value });
      let count = 0;
      for (const frame of encoder.flush(limit)) {
        sameAsSdk(t, frame);
        count += run(frame).data?.readings?.length ?? 0;
      }
      return count === samples.length;
    }),
    { numRuns: 60 },
  );
  t.pass();
});

test('codec: values come out at channel resolution with ISO times; alerts and status too', (t) => {
  const encoder = new BatchEncoder(table);
  encoder.add({ device: 'underpass', point: 'level', t: Date.UTC(2026, 6, 15, 8, 0, 3), value: 16.04 });
  encoder.add({ device: 'detector', point: 'smoke_alarm', t: Date.UTC(2026, 6, 15, 8, 0, 4), value: true });
  const [frame] = encoder.flush(51);
  t.deepEqual(run(frame).data?.readings, [
    { channel: 0, time: '2026-07-15T08:00:00.000Z', device: 'underpass', point: 'level', unit: 'cm', value: quantize(table.channels[0], 16.04) },
    { channel: 3, time: '2026-07-15T08:00:00.000Z', device: 'detector', point: 'smoke_alarm', unit: '', value: true },
  ]);
  const alert = encodeAlert({ rule: 'hydrant-low', device: 'hydrant', point: 'pressure', level: 'warning', state: 'raised', t: Date.UTC(2026, 6, 15, 9), value: 0.123, message: '' }, table);
  t.deepEqual(run(alert), { data: { type: 'alert', alert: { rule: 'hydrant-low', device: 'hydrant', point: 'pressure', level: 'warning', state: 'raised', time: '2026-07-15T09:00:00.000Z', value: 0.123 } } });
  sameAsSdk(t, alert);
  const offline = encodeAlert({ rule: 'meter-offline', device: 'meter', level: 'critical', state: 'cleared', t: Date.UTC(2026, 6, 15, 9), message: '' }, table);
  sameAsSdk(t, offline);
  // An alert group (type 5): critical first, then oldest; 16-bit, 32-bit and no values; the sdk decodes the same.
  const big = encodeAlert({ rule: 'hydrant-low', device: 'hydrant', point: 'pressure', level: 'warning', state: 'cleared', t: Date.UTC(2026, 6, 15, 9, 0, 7), value: -1234.567, message: '' }, table);
  const group = packAlerts([alert, offline, big], 51);
  t.is(group.count, 3);
  t.is(group.payload.length, 5 + 6 + 4 + 8);
  t.deepEqual(run(group.payload).data?.alerts?.map((a) => `${a.rule} ${a.level} ${a.state} ${a.time} ${a.value}`), [
    'meter-offline critical cleared 2026-07-15T09:00:00.000Z undefined',
    'hydrant-low warning raised 2026-07-15T09:00:00.000Z 0.123',
    'hydrant-low warning cleared 2026-07-15T09:00:07.000Z -1234.567',
  ]);
  sameAsSdk(t, group.payload);
  t.deepEqual(run(group.payload.subarray(0, group.payload.length - 1)).errors?.length, 1, 'a truncated group is an error');
  const status = encodeStatus({ t: Date.UTC(2026, 6, 15, 10), dropped: 3, queued: 250 });
  t.deepEqual(run(status), { data: { type: 'status', status: { time: '2026-07-15T10:00:00.000Z', dropped: 3, queued: 250 } } });
  const refused = encodeStatus({ t: Date.UTC(2026, 6, 15, 10), dropped: 3, queued: 250, refused: { count: 1, downlink: 2, reason: 'out-of-bounds', index: 7 } });
  t.deepEqual(run(refused), { data: { type: 'status', status: { time: '2026-07-15T10:00:00.000Z', dropped: 3, queued: 250, refused: { count: 1, downlink: 2, reason: 'out-of-bounds', index: 7 } } } });
  sameAsSdk(t, refused);
  sameAsSdk(t, encodeStatus({ t: Date.UTC(2026, 6, 15, 10), dropped: 0, refused: { count: 2, downlink: 9, reason: 'malformed' } }));
});

test('codec: 2 s polls under the default 10 s step give every reading its own time, as the sdk decodes; the rule removes only resent copies', (t) => {
  // Three points every 2 s for 10 minutes, with poll jitter and one poll delayed until just before the next (two readings in one second).
  const points = [['underpass', 'level'], ['climate', 'temperature'], ['detector', 'smoke_alarm']] as const;
  const t0 = Date.UTC(2026, 6, 15, 8, 0, 0, 500);
  const samples: Array<{ device: string; point: string; t: number; value: number | boolean }> = [];
  for (let k = 0; k < 300; k++) {
    const jitter = k === 150 ? 1700 : (k * 37) % 90;
    for (const [device, point] of points) samples.push({ device, point, t: t0 + k * 2000 + jitter, value: point === 'smoke_alarm' ? k % 50 === 0 : 20 + (k % 13) / 10 });
  }
  const encoder = new BatchEncoder(table);
  const frames: Uint8Array[] = [];
  // The gateway's flush period (5 min) splits the run: stamps must stay distinct across flushes too.
  samples.forEach((s, i) => {
    if (i === samples.length / 2) frames.push(...encoder.flush(51));
    encoder.add(s);
  });
  frames.push(...encoder.flush(51));
  t.is(encoder.pending, 0);
  // Each frame arrives twice: a lost acknowledgement.
  const seen = new Set<string>();
  let kept = 0;
  let removed = 0;
  for (const frame of [...frames, ...frames]) {
    sameAsSdk(t, frame);
    for (const r of run(frame).data?.readings ?? []) {
      const key = `${String(r.device)}|${String(r.point)}|${String(r.time)}`;
      if (seen.has(key)) removed++;
      else {
        seen.add(key);
        kept++;
      }
    }
  }
  t.is(kept, samples.length, 'every reading has a key of its own');
  t.is(removed, samples.length, 'every resent copy is removed');
});

test('codec: an older codec warns about channels it does not know and decodes the rest', (t) => {
  const older = buildChannelTable(exampleSite(), fixtureManifests());
  const olderCodec = load(generateCodec(older));
  const encoder = new BatchEncoder(table);
  encoder.add({ device: 'underpass', point: 'level', t: Date.UTC(2026, 6, 15), value: 3 });
  encoder.add({ device: 'water', point: 'total_flow', t: Date.UTC(2026, 6, 15), value: 1523.41 });
  const result = olderCodec({ bytes: [...encoder.flush(51)[0]], fPort: 10 });
  t.is(result.data?.readings?.length, 1);
  t.is(result.warnings?.length, 1);
  t.regex(result.warnings?.[0] ?? '', /regenerate the codec/);
});

test('codec: garbage gives errors, never an exception', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), fc.constantFrom(0x11, 0x12, 0x13, 0x22), (rest, first) => {
      for (const bytes of [rest, Uint8Array.from([first, ...rest])]) {
        const result = run(bytes);
        if (result.errors === undefined && result.data === undefined) return false;
        if (result.errors !== undefined && (result.errors.length !== 1 || typeof result.errors[0] !== 'string')) return false;
        // Whatever the TS decoder accepts, the codec accepts (and the reverse).
        let tsOk = true;
        try {
          decodeUplink(bytes, table);
        } catch (error) {
          // decodeUplink also refuses an alert that cannot belong to the rule it names (a value outside
          // the point's limits: BATCH_TABLE_MISMATCH, the wrong-site check of `axon decode uplink`); the
          // generated codec runs with its own site's table and leaves that to the platform.
          tsOk = (error as { code?: string }).code === 'BATCH_TABLE_MISMATCH';
        }
        if (tsOk !== (result.errors === undefined) && bytes[0] >> 4 === 1) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.deepEqual(run(new Uint8Array(0)), { errors: ['empty payload'] });
});

test('docs/batch-format.md: the worked example in the spec is what the encoder produces, byte for byte', (t) => {
  const doc = readFileSync(path.join(root, 'docs/batch-format.md'), 'utf8');
  const block = (marker: string) => {
    const m = new RegExp(`<!-- ${marker} -->\\s*\`\`\`\\s*([0-9a-f ]+?)\\s*\`\`\``).exec(doc);
    return m?.[1].trim();
  };
  t.is(block('example-frame'), EXAMPLE_FRAME_HEX);
  t.is(block('example-alert'), EXAMPLE_ALERT_HEX);
  const exampleTable = buildChannelTable(exampleSite(), fixtureManifests());
  const encoder = new BatchEncoder(exampleTable);
  for (const s of exampleSamples()) encoder.add(s);
  t.is(Buffer.from(encoder.flush(51)[0]).toString('hex').replace(/(..)(?!$)/g, '$1 '), EXAMPLE_FRAME_HEX);
  const exampleCodec = load(generateCodec(exampleTable));
  t.is(exampleCodec({ bytes: [...fromHex(EXAMPLE_FRAME_HEX)], fPort: 10 }).data?.readings?.length, 9);
});

test('sdk decodeUplink reads both the binary and the CBOR form, readings in time order', (t) => {
  const exampleTable = buildChannelTable(exampleSite(), fixtureManifests());
  const binary = decodeUplink(fromHex(EXAMPLE_FRAME_HEX), exampleTable);
  const cbor = decodeUplink(encodeCborBatch(exampleSamples(), exampleTable), exampleTable);
  t.deepEqual(cbor, binary);
  t.is(binary.type, 'batch');
  if (binary.type === 'batch') t.deepEqual(binary.readings.map((r) => r.t), [...binary.readings.map((r) => r.t)].sort((a, b) => a - b));
});

test('sdk/codec is runtime-neutral (the drivers/ rules)', (t) => {
  const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  t.true(files.length >= 4);
  t.deepEqual(files.flatMap((f) => checkSource(`sdk/codec/${f}`, readFileSync(path.join(here, f), 'utf8'))), []);
});

/**
 * The downlink half of the generated codec (encodeDownlink / decodeDownlink,
 * ES5.1) and its reading of sequenced uplinks, against the gateway's own
 * TypeScript encoder and decoder (drivers/gateway/downlink.ts), called as
 * The Things Stack ({data, fPort}) and ChirpStack v4 ({data, variables}) call
 * it. Errors come back in `errors`, never thrown.
 */
import test from 'ava';
import fc from 'fast-check';
import { BatchEncoder, buildChannelTable, encodeSequenced } from '../../drivers/batch/index.js';
import { encodeAlert } from '../../drivers/batch/alert.js';
import { encodeAlertGroup } from '../../drivers/batch/alert-group.js';
import { alertsIn } from './decode-uplink.js';
import { exampleSamples, fixtureManifests, fixtureSite } from '../../drivers/batch/test-support.js';
import { decodeDownlink, encodeDataAck, encodeDownlink, type Downlink } from '../../drivers/gateway/downlink.js';
import { decodeUplink, es5Violations, generateCodec } from './index.js';

interface DownlinkResult { bytes?: number[]; fPort?: number; data?: Record<string, unknown>; warnings?: string[]; errors?: string[] }
interface Codec {
  encodeDownlink(input: { data: unknown; fPort?: number; variables?: Record<string, string> }): DownlinkResult;
  decodeDownlink(input: { bytes: number[]; fPort: number }): DownlinkResult;
  decodeUplink(input: { bytes: number[]; fPort: number }): { data?: Record<string, unknown>; errors?: string[] };
}

const table = buildChannelTable(fixtureSite(), fixtureManifests());
const source = generateCodec(table, { name: 'downlink-fixture' });
const codec = new Function(`${source}\nreturn { encodeDownlink: encodeDownlink, decodeDownlink: decodeDownlink, decodeUplink: decodeUplink };`)() as Codec;

/** The object a platform writes for a downlink, from the gateway's own form. */
function asCodecData(d: Downlink): Record<string, unknown> {
  if (d.kind === 'data-ack') return { type: 'data-ack', base: d.base, seqs: d.seqs };
  if (d.kind === 'acknowledge') return d.level === undefined ? { type: 'acknowledge', rule: d.rule } : { type: 'acknowledge', rule: d.rule, level: d.level };
  return d.periodS === undefined ? { type: 'poll-period', device: d.device } : { type: 'poll-period', device: d.device, periodS: d.periodS };
}

const devices = [...new Set(table.channels.map((c) => c.device))];
const downlinks: fc.Arbitrary<Downlink> = fc.oneof(
  fc.record({ base: fc.integer({ min: 0, max: 32767 }), offsets: fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { maxLength: 64 }) })
    .map(({ base, offsets }): Downlink => ({ kind: 'data-ack', base, seqs: offsets.sort((a, b) => a - b).map((o) => (base + o) % 32768) })),
  fc.record({ rule: fc.constantFrom(...table.rules.map((r) => r.id)), level: fc.constantFrom(undefined, 'warning' as const, 'critical' as const) })
    .map(({ rule, level }): Downlink => (level === undefined ? { kind: 'acknowledge', rule } : { kind: 'acknowledge', rule, level })),
  fc.record({ device: fc.constantFrom(...devices), periodS: fc.option(fc.integer({ min: 1, max: 2 ** 24 - 1 }), { nil: undefined }) })
    .map(({ device, periodS }): Downlink => (periodS === undefined ? { kind: 'poll-period', device } : { kind: 'poll-period', device, periodS })),
);

test('encodeDownlink gives the gateway\'s bytes for every downlink it accepts, in both calling conventions; decodeDownlink reads them back', (t) => {
  t.deepEqual(es5Violations(source), []);
  t.true(table.rules.length > 0 && devices.length > 0);
  fc.assert(fc.property(downlinks, (downlink) => {
    const want = [...encodeDownlink(downlink, table)];
    const tts = codec.encodeDownlink({ data: asCodecData(downlink), fPort: 10 });
    const chirpstack = codec.encodeDownlink({ data: asCodecData(downlink), variables: {} });
    t.deepEqual(tts, { bytes: want, fPort: 10, warnings: [], errors: [] });
    t.deepEqual(chirpstack.bytes, want);
    t.deepEqual(decodeDownlink(Uint8Array.from(want), table), downlink, 'the gateway reads what the codec wrote');
    t.deepEqual(codec.decodeDownlink({ bytes: want, fPort: 10 }).data, asCodecData(downlink));
  }), { numRuns: 300 });
});

test('encodeDownlink returns errors, never throws, on what it cannot encode', (t) => {
  const errorOf = (data: unknown) => codec.encodeDownlink({ data, fPort: 10 }).errors?.[0] ?? '';
  t.regex(errorOf({ type: 'data-ack', base: 5, seqs: [70] }), /not within 64 of the base 5/);
  t.regex(errorOf({ type: 'data-ack', base: 40000, seqs: [] }), /base must be an integer 0-32767/);
  t.regex(errorOf({ type: 'acknowledge', rule: 'no-such-rule' }), /rule no-such-rule is not in this codec/);
  t.regex(errorOf({ type: 'poll-period', device: devices[0], periodS: -1 }), /periodS must be an integer/);
  t.regex(errorOf({ type: 'reboot' }), /unknown downlink type reboot/);
  t.regex(errorOf(undefined), /data must be an object/);
  t.deepEqual([...encodeDataAck(7, [7, 8, 10])], [0x03, 0x00, 0x07, 0xd0], 'the worked example of docs/app-ack.md');
  t.throws(() => encodeDataAck(5, [70]), { message: /not within 64 of the base 5/ }, 'the TypeScript encoder refuses the same');
  t.regex(codec.decodeDownlink({ bytes: [9, 9], fPort: 10 }).errors?.[0] ?? '', /not an Axon downlink/);
});

test('a sequenced batch decodes in the codec as in the sdk, with its seq and A bit', (t) => {
  const encoder = new BatchEncoder(table);
  for (const s of exampleSamples()) encoder.add(s);
  const [frame] = encoder.flush(51);
  for (const [seq, ackRequested] of [[0, false], [12345, true], [32767, true]] as const) {
    const bytes = encodeSequenced({ seq, ackRequested, inner: frame });
    const sdk = decodeUplink(bytes, table);
    const got = codec.decodeUplink({ bytes: [...bytes], fPort: 10 });
    t.like(sdk, { type: 'batch', seq, ackRequested });
    t.like(got.data, { type: 'batch', seq, ackRequested });
    t.is((got.data?.readings as unknown[]).length, sdk.type === 'batch' ? sdk.readings.length : -1);
  }
  t.regex(codec.decodeUplink({ bytes: [0x14, 0, 1, 0x13, 0], fPort: 10 }).errors?.[0] ?? '', /wraps a batch frame \(0x11\), an alert \(0x12\) or an alert group \(0x15\)/);
});

test('a sequenced alert and alert group decode in the codec as in the sdk, with seq and A bit (docs/app-ack.md)', (t) => {
  const t0 = 1_767_225_600_000;
  const smoke = encodeAlert({ rule: 'detector-smoke', device: 'detector', point: 'smoke_alarm', level: 'critical', state: 'raised', t: t0, value: true, message: '' }, table);
  const ponding = encodeAlert({ rule: 'underpass-ponding', device: 'underpass', point: 'level', level: 'warning', state: 'raised', t: t0 + 2000, value: 16, message: '' }, table);
  const offline = encodeAlert({ rule: 'meter-offline', device: 'meter', level: 'critical', state: 'raised', t: t0 + 3000, message: '' }, table);
  const group = encodeAlertGroup([smoke, ponding, offline]);
  for (const [inner, type, count] of [[smoke, 'alert', 1], [group, 'alerts', 3]] as const) {
    const bytes = encodeSequenced({ seq: 4242, ackRequested: type === 'alerts', inner });
    const sdk = decodeUplink(bytes, table);
    const got = codec.decodeUplink({ bytes: [...bytes], fPort: 11 }); // this site's alert FPort
    t.deepEqual(got.errors, undefined, type);
    t.like(sdk, { type, seq: 4242, ackRequested: type === 'alerts' });
    t.like(got.data, { type, seq: 4242, ackRequested: type === 'alerts' });
    const codecAlerts = (type === 'alert' ? [got.data?.alert] : got.data?.alerts) as Array<{ rule: string; state: string }>;
    t.is(codecAlerts.length, count);
    t.deepEqual(codecAlerts.map((a) => `${a.rule} ${a.state}`), alertsIn(sdk).map((a) => `${a.rule} ${a.state}`), `${type}: the same alerts as the sdk`);
  }
});

/**
 * Every generated codec run in QuickJS as the network servers run it
 * (hosts/quickjs-hosts.ts): as ChirpStack v4's codec runtime calls it (an ES
 * module in a fresh runtime, decodeUplink / encodeDownlink with
 * chirpstack_input) and through The Things Stack's formatter convention
 * (decodeUplink / encodeDownlink / decodeDownlink). The frames are a real
 * gateway's (the demo site through the whole gateway pipeline in virtual
 * time), compared with the sdk decoder; their CBOR forms (the core's encoder
 * and cbor-x's) decode to the same; the downlinks the codec encodes are fed
 * back to the gateway, which must obey them.
 */
import test from 'ava';
import { encode as cborxEncode } from 'cbor-x';
import fc from 'fast-check';
import { encodeCborAlert, encodeCborBatch, encodeCborStatus } from '../../drivers/batch/index.js';
import { toHex } from '../../drivers/bytes.js';
import { decodeDownlink, type Downlink } from '../../drivers/gateway/downlink.js';
import { MINUTE, Pipeline } from '../../drivers/gateway/test-support.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { MemoryUplink } from '../../simulators/uplink/memory-uplink.js';
import { asCodecData } from './codec-data.js';
import { codecPorts } from './codec-ports.js';
import { decodeUplink } from './decode-uplink.js';
import { decodeUplinkOnNode } from './hosts/cbor-x.js';
import { chirpStackV4, ttsFormatter } from './hosts/quickjs-hosts.js';
import { generateCodec } from './index.js';

const RECV = Date.UTC(2026, 6, 15, 12);

/** The demo site through the gateway pipeline for an hour of virtual time, a quick storm flooding one underpass: its uplinks, as they left it. */
async function gatewayRun() {
  const p = new Pipeline({ sim: { models: { 'underpass-longhua': { level: { model: 'storm', dry: 0, peak: 30, startMinutes: 1, riseMinutes: 6, holdMinutes: 4, fallMinutes: 4, noise: 0.5 } } } } });
  p.gateway.start();
  await p.until(60 * MINUTE);
  p.gateway.flush();
  await p.until(61 * MINUTE);
  return p;
}

const run = gatewayRun();
const codecOf = async () => {
  const p = await run;
  return { p, source: generateCodec(p.gateway.channelTable, { name: p.site.id, ports: codecPorts(p.site.uplink) }) };
};

test('ChirpStack v4 and TTS conventions: every frame of a real gateway run decodes in QuickJS exactly as the sdk decodes it', async (t) => {
  const { p, source } = await codecOf();
  const chirpstack = await chirpStackV4(source);
  const tts = await ttsFormatter(source);
  t.teardown(() => tts.dispose());
  const frames = p.uplink.received;
  const kinds = new Set(frames.map((m) => m.decoded?.type));
  t.true(kinds.has('batch') && kinds.has('status') && (kinds.has('alert') || kinds.has('alerts')), `kinds ${[...kinds].join(', ')}`);
  for (const message of frames) {
    const want = asCodecData(decodeUplink(message.payload, p.gateway.channelTable));
    const got = chirpstack.decode({ bytes: message.payload, fPort: message.port, recvTimeMs: RECV, variables: { site: p.site.id } });
    t.deepEqual(got, { ok: want }, `ChirpStack, FPort ${message.port}: ${toHex(message.payload)}`);
    t.deepEqual(tts.decodeUplink({ bytes: message.payload, fPort: message.port, recvTimeMs: RECV }), { data: want }, `TTS: ${toHex(message.payload)}`);
  }
  t.log(`${frames.length} frames of a gateway run decoded identically in both conventions`);
  t.true(frames.length >= 20, `${frames.length} frames`);
});

test('the CBOR form of every message of the run (the core\'s encoder and cbor-x) decodes in the codec as `axon decode uplink` decodes it', async (t) => {
  const { p, source } = await codecOf();
  const chirpstack = await chirpStackV4(source);
  const table = p.gateway.channelTable;
  let statuses = 0;
  for (const message of p.uplink.received) {
    const m = decodeUplink(message.payload, table);
    const forms: Uint8Array[] = [];
    if (m.type === 'batch') forms.push(encodeCborBatch(m.readings.map((r) => ({ device: r.device, point: r.point, t: r.t, value: r.value })), table));
    else if (m.type === 'status') {
      forms.push(encodeCborStatus(m.status));
      const { t: time, ...rest } = m.status;
      const refused = rest.refused === undefined ? {} : { refused: { n: rest.refused.count, dl: rest.refused.downlink, why: rest.refused.reason } };
      forms.push(cborxEncode({ v: 1, m: 'status', t: time / 1000, dropped: rest.dropped, queued: rest.queued, ...refused }) as Uint8Array);
      statuses++;
    } else for (const a of m.type === 'alert' ? [m.alert] : m.alerts) forms.push(encodeCborAlert({ ...a, message: '' }, table));
    for (const cbor of forms) {
      const want = decodeUplink(cbor, table);
      t.deepEqual(decodeUplinkOnNode(cbor, table), want, 'cbor-x (the Node tools) and the core\'s CBOR codec parse it alike');
      t.throws(() => decodeUplinkOnNode(cbor.subarray(0, cbor.length - 1), table), undefined, 'truncated');
      t.throws(() => decodeUplinkOnNode(Uint8Array.from([...cbor, 0]), table), undefined, 'trailing byte');
      t.true('error' in chirpstack.decode({ bytes: Uint8Array.from([...cbor, 0]), fPort: 10, recvTimeMs: RECV }), 'the codec refuses a trailing byte too');
      const got = chirpstack.decode({ bytes: cbor, fPort: message.port === codecPorts(p.site.uplink).alert || want.type === 'alert' ? codecPorts(p.site.uplink).alert : codecPorts(p.site.uplink).data, recvTimeMs: RECV });
      t.deepEqual(got, { ok: asCodecData(want) }, `CBOR ${toHex(cbor)}`);
    }
  }
  t.true(statuses > 0);
  // The refusal status a user pastes into `axon decode uplink` (docs/cli.md).
  const refused = encodeCborStatus({ t: Date.UTC(2026, 6, 15, 10), dropped: 3, queued: 250, refused: { count: 1, downlink: 2, reason: 'out-of-bounds', index: 7 } });
  t.deepEqual(chirpstack.decode({ bytes: refused, fPort: 10, recvTimeMs: RECV }), { ok: { type: 'status', status: { time: '2026-07-15T10:00:00.000Z', dropped: 3, queued: 250, refused: { count: 1, downlink: 2, reason: 'out-of-bounds', index: 7 } } } });
});

test('FPort: a frame on a port the site does not use is an error; a message on the other Axon port decodes with a warning', async (t) => {
  const { p, source } = await codecOf();
  const chirpstack = await chirpStackV4(source);
  const batch = p.uplink.received.find((m) => m.decoded?.type === 'batch');
  if (batch === undefined) return t.fail('no batch');
  t.is(batch.port, 10);
  const wrong = chirpstack.decode({ bytes: batch.payload, fPort: 99, recvTimeMs: RECV });
  t.true('error' in wrong && /FPort 99 carries no Axon messages \(readings and status on 10, alerts on 11\)/.test(wrong.error), JSON.stringify(wrong));
  const tts = await ttsFormatter(source);
  t.teardown(() => tts.dispose());
  t.deepEqual(tts.decodeUplink({ bytes: batch.payload, fPort: 11, recvTimeMs: RECV }).warnings, ['the batch message came on FPort 11; the gateway sends it on 10']);
  // A site with its own ports: the codec follows the site file.
  const custom = generateCodec(p.gateway.channelTable, { ports: codecPorts({ kind: 'lorawan', region: 'EU868', activation: 'otaa', fPortData: 20, fPortAlert: 21 }) });
  const other = await chirpStackV4(custom);
  t.like(other.decode({ bytes: batch.payload, fPort: 20, recvTimeMs: RECV }), { ok: { type: 'batch' } });
  t.true('error' in other.decode({ bytes: batch.payload, fPort: 10, recvTimeMs: RECV }));
});

test('malformed payloads come back as errors (ChirpStack logs UPLINK_CODEC), never as a JS exception', async (t) => {
  const { source } = await codecOf();
  const chirpstack = await chirpStackV4(source);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(0x11, 0x12, 0x13, 0x14, 0x15, 0xa5, 0xbf), (rest, first) => {
      const outcome = chirpstack.decode({ bytes: [first, ...rest], fPort: first === 0x12 || first === 0x15 ? 11 : 10, recvTimeMs: RECV });
      return 'ok' in outcome || outcome.error.startsWith('decodeUplink returned errors: ');
    }),
    { numRuns: 150 },
  );
  t.pass();
});

/** The object a platform writes for a downlink, from the gateway's own form. */
function asObject(d: Downlink): Record<string, unknown> {
  if (d.kind === 'data-ack') return { type: 'data-ack', base: d.base, seqs: d.seqs };
  if (d.kind === 'acknowledge') return d.level === undefined ? { type: 'acknowledge', rule: d.rule } : { type: 'acknowledge', rule: d.rule, level: d.level };
  return d.periodS === undefined ? { type: 'poll-period', device: d.device } : { type: 'poll-period', device: d.device, periodS: d.periodS };
}

test('downlinks: every kind the gateway accepts, encoded by the codec in ChirpStack ({object} command) and TTS, is obeyed by a running gateway', async (t) => {
  const p = new Pipeline();
  p.gateway.start();
  await p.until(2 * MINUTE);
  const table = p.gateway.channelTable;
  const source = generateCodec(table, { ports: codecPorts(p.site.uplink) });
  const chirpstack = await chirpStackV4(source);
  const tts = await ttsFormatter(source);
  t.teardown(() => tts.dispose());
  const device = table.channels[0].device;
  const wanted: Downlink[] = [
    { kind: 'poll-period', device, periodS: 120 },
    { kind: 'poll-period', device },
    ...table.rules.filter((r) => r.retired !== true).slice(0, 3).map((r): Downlink => ({ kind: 'acknowledge', rule: r.id })),
    { kind: 'acknowledge', rule: table.rules[0].id, level: 'critical' },
    { kind: 'data-ack', base: 7, seqs: [7, 8, 10] },
    { kind: 'data-ack', base: 32760, seqs: [32760, 3] },
  ];
  for (const downlink of wanted) {
    const encoded = chirpstack.encode({ fPort: 1, data: asObject(downlink) });
    if (!('ok' in encoded)) return t.fail(encoded.error);
    t.is(encoded.ok.fPort, 10, 'the codec picks the downlink port, whatever the command said');
    const ttsEncoded = tts.encodeDownlink({ data: asObject(downlink), fPort: 10 });
    t.deepEqual(ttsEncoded, { bytes: encoded.ok.bytes, fPort: 10, warnings: [], errors: [] });
    t.deepEqual(tts.decodeDownlink({ bytes: encoded.ok.bytes, fPort: 10 }), { data: asObject(downlink), warnings: [], errors: [] });
    const before = p.events.length;
    p.uplink.downlink(encoded.ok.fPort, Uint8Array.from(encoded.ok.bytes));
    await p.until(p.clock.now() + 1000);
    const obeyed = p.events.slice(before).filter((e) => e.kind === 'downlink');
    t.deepEqual(obeyed.map((e) => (e.kind === 'downlink' ? e.downlink : undefined)), [downlink], JSON.stringify(asObject(downlink)));
    t.deepEqual(decodeDownlink(Uint8Array.from(encoded.ok.bytes), table), downlink);
  }
  const refused = chirpstack.encode({ fPort: 10, data: { type: 'acknowledge', rule: 'no-such-rule' } });
  t.true('error' in refused && /encodeDownlink returned errors: rule no-such-rule is not in this codec/.test(refused.error), JSON.stringify(refused));
  t.regex(String((tts.encodeDownlink({ data: { type: 'reboot' } }).errors as string[])[0]), /unknown downlink type reboot/);
  t.deepEqual(tts.decodeDownlink({ bytes: [3, 0, 7, 0xd0], fPort: 20 }).warnings, ['a downlink on FPort 20; encodeDownlink sends on 10']);
  t.regex(String((tts.decodeDownlink({ bytes: [3, 0, 7], fPort: 0 }).errors as string[])[0]), /FPort 0 is not an application port/);
  await p.close();
});

test('application acknowledgement: sequenced frames decode with seq and ackRequested; data-acks the codec encodes are taken by the gateway', async (t) => {
  /** The gateway's uplink in application-acknowledged mode (docs/app-ack.md): it numbers data frames and waits for data-acks. */
  class AppAckUplink extends MemoryUplink {
    readonly delivery = 'application' as const;
  }
  const clock = new VirtualClock();
  const uplink = new AppAckUplink({ clock });
  const p = new Pipeline({ clock, uplinkPort: uplink });
  uplink.channels = p.gateway.channelTable;
  const source = generateCodec(p.gateway.channelTable, { ports: codecPorts(p.site.uplink) });
  const chirpstack = await chirpStackV4(source);
  p.gateway.start();
  let heard = 0;
  const acked: number[] = [];
  for (let minute = 1; minute <= 20; minute++) {
    await p.until(minute * MINUTE);
    if (minute === 19) p.gateway.flush();
    for (const message of uplink.received.slice(heard)) {
      const want = asCodecData(decodeUplink(message.payload, p.gateway.channelTable));
      const got = chirpstack.decode({ bytes: message.payload, fPort: message.port, recvTimeMs: RECV });
      t.deepEqual(got, { ok: want }, toHex(message.payload));
      if (!('ok' in got) || typeof got.ok.seq !== 'number') continue;
      const ack = chirpstack.encode({ fPort: 10, data: { type: 'data-ack', base: got.ok.seq, seqs: [got.ok.seq] } });
      if (!('ok' in ack)) return t.fail(ack.error);
      uplink.downlink(ack.ok.fPort, Uint8Array.from(ack.ok.bytes));
      acked.push(got.ok.seq);
    }
    heard = uplink.received.length;
  }
  t.true(acked.length >= 3, `${acked.length} sequenced frames`);
  const taken = p.events.flatMap((e) => (e.kind === 'downlink' && e.downlink.kind === 'data-ack' ? e.downlink.seqs : []));
  t.deepEqual(taken, acked, 'the gateway read every data-ack the codec wrote');
  t.deepEqual(p.events.filter((e) => e.kind === 'error'), []);
  await p.close();
});

/**
 * The CN470 acceptance point "every frame respects its DR's payload limit and
 * the batch size follows DR changes from ADR", shown as one chain in virtual
 * time:
 *
 *   demo-site simulated Modbus devices → Gateway → LoraWanUplink → LoraWanMac
 *   (CN470, OTAA, ADR on) → SimulatedLoraChannel → LoraNetworkServer (ADR on)
 *
 * Nothing in the chain is told the data rate: the device starts at the
 * slowest DR with a payload (DR1, 23 bytes), the network server reads the
 * link margin and raises it with LinkADRReq (to DR3, then to DR5 once the
 * link improves), and the gateway must cut its batches to each new limit by
 * itself, because it re-reads the uplink's maxPayloadBytes() at every flush.
 * Data frames go unconfirmed and the reference ack service acknowledges them
 * (docs/app-ack.md); the network's LinkADRReq rides the data-acks and the
 * alerts' ACKs, and the server forces a downlink when the device sets
 * ADRACKReq, so ADR works without confirming every frame. The
 * limits come from the region table, so the test checks the code against
 * RP002, not against numbers copied here.
 * Assertions are on what went over the air and what the network decoded.
 */
import test from 'ava';
import { FRAME_OVERHEAD_BYTES } from '../../drivers/lorawan/airtime.js';
import type { MacEvent } from '../../drivers/lorawan/mac/index.js';
import { MINUTE } from '../../drivers/gateway/test-support.js';
import { alertsIn, type DecodedUplink } from '../../sdk/codec/decode-uplink.js';
import { gatewayOverNetworkServer } from './gateway-bench.js';

const HOUR = 60 * MINUTE;

const DEV_EUI = '0004a30b001c0547';

/**
 * Device ↔ gateway path loss, dB: the link the network's ADR reads. With
 * CN470's 19.15 dBm EIRP and the channel's −117 dBm noise floor at 125 kHz,
 * 137 dB gives SNR ≈ −0.8 dB. At DR1 (SF11, floor −17.5 dB) that is 6.7 dB
 * over ADR's 10 dB installation margin: two 3 dB steps, DR1 → DR3. At the
 * first hour the link improves (an antenna is fixed) to 130 dB, SNR ≈ +6 dB:
 * at DR3 (SF9, floor −12.5 dB) two more steps, DR3 → DR5. Two rises, three
 * limits (23, 184, 242 bytes) for the gateway's batches to follow.
 */
const PATH_LOSS_FIRST_DB = 137;
const PATH_LOSS_LATER_DB = 130;
const LINK_IMPROVES_AT_MS = 1 * HOUR;

interface Heard {
  fCnt: number;
  dataRate: number;
  bytes: number;
  decoded: DecodedUplink;
  /** The ack service's verdict: a resend the platform already has. */
  duplicate: boolean;
}

test('CN470 chain: every frame fits its DR, ADR raises the DR and the gateway batches grow with it, nothing lost', async (t) => {
  const started = Date.now();
  // The gateway's device side: our class A MAC with ADR on (the demo site's setting), starting at the slowest DR.
  const macEvents: Array<MacEvent & { atMs: number }> = [];
  const chain = gatewayOverNetworkServer({
    region: 'CN470',
    seed: 470,
    devEui: DEV_EUI,
    pathLossDb: () => (chain.clock.now() < LINK_IMPROVES_AT_MS ? PATH_LOSS_FIRST_DB : PATH_LOSS_LATER_DB),
    mac: { onEvent: (event) => macEvents.push({ ...event, atMs: chain.clock.now() }) },
    // Three demo devices: a level gauge (5 min), a climate sensor (1 min) and a smoke detector (10 s) give enough readings per flush to overflow DR1.
    pipeline: { devices: ['underpass-longhua', 'pump-room-climate', 'smoke-pump-room'], gateway: { flushEveryMs: 20 * MINUTE } },
  });
  const { clock, region, mac, p, ns, onAir, nsEvents, acks } = chain;
  t.teardown(chain.close);

  await clock.run(mac.join());
  t.is(mac.dataRate, 1, 'after the join the device starts at DR1, the slowest CN470 DR with a payload');

  p.gateway.start();
  await p.until(2 * HOUR);
  // Frame what is still queued and give the sender time to drain the log.
  p.gateway.flush();
  await p.until(2 * HOUR + 10 * MINUTE);
  const stats = p.gateway.stats();

  const heard: Heard[] = nsEvents.flatMap((e) => {
    if (e.type !== 'up' || e.fPort === undefined || e.fPort === 0) return [];
    if (e.dataRate === undefined || e.decoded === undefined) throw new Error(`FCnt ${e.fCnt}: no data rate or not decodable (${e.decodeError ?? ''})`);
    return [{ fCnt: e.fCnt, dataRate: e.dataRate, bytes: e.payload.length, decoded: e.decoded, duplicate: e.duplicate === true }];
  });
  t.true(heard.length > 0, 'the network heard the gateway');

  // 1. Every frame fits its DR: the application payload the network decrypted, and on the air
  //    the whole FRMPayload + FOpts (PHYPayload − 13), since MAC answers share the limit.
  for (const h of heard) {
    t.true(h.bytes <= region.maxPayload(h.dataRate), `FCnt ${h.fCnt}: ${h.bytes} bytes at DR${h.dataRate} (max ${region.maxPayload(h.dataRate)})`);
  }
  const dataOnAir = onAir.filter((u) => u.mType === 2 || u.mType === 4);
  t.is(dataOnAir.length, mac.counters.uplinks, 'the gateway heard every data frame the MAC sent');
  for (const u of dataOnAir) {
    const n = region.maxPayload(u.dataRate);
    t.true(u.phyBytes - FRAME_OVERHEAD_BYTES <= n, `on air at ${u.startMs} ms: ${u.phyBytes - FRAME_OVERHEAD_BYTES} bytes at DR${u.dataRate} (max ${n})`);
  }

  // 2. ADR raised the DR, on the device and as the network heard it, and after each rise the
  //    gateway's batches outgrew the previous DR's limit: it re-reads the limit at every flush.
  const raised = macEvents.filter((e): e is Extract<MacEvent, { type: 'radio-settings' }> & { atMs: number } => e.type === 'radio-settings' && e.cause === 'network');
  t.is(heard[0].dataRate, 1, 'the first frames went at DR1');
  t.true(raised.length > 0, 'the network changed the device\'s radio settings');
  t.true(mac.dataRate > heard[0].dataRate, `the MAC ends at DR${mac.dataRate}`);
  // The frames the network heard, split where their DR changes (in the order they were sent).
  const epochs: Array<{ dataRate: number; frames: Heard[] }> = [];
  for (const h of heard) {
    const last = epochs[epochs.length - 1];
    if (last?.dataRate === h.dataRate) last.frames.push(h);
    else epochs.push({ dataRate: h.dataRate, frames: [h] });
  }
  t.deepEqual(epochs.map((e) => e.dataRate), [heard[0].dataRate, ...raised.map((e) => e.dataRate)], 'the network heard each DR the MAC was told to use, in order, and no other (no ADR back-off: data-acks are downlinks)');
  t.true(epochs.length >= 2, `ADR raised the DR at least once (DRs heard: ${epochs.map((e) => e.dataRate).join(', ')})`);
  const largestBatch = (frames: readonly Heard[]) => Math.max(0, ...frames.filter((h) => h.decoded.type === 'batch').map((h) => h.bytes));
  // DR1's limit was binding: the first flush held more than one DR1 frame carries.
  t.true(epochs[0].frames.filter((h) => h.decoded.type === 'batch').length >= 2, 'batches were cut into several frames at DR1');
  for (let k = 1; k < epochs.length; k++) {
    const from = epochs[k - 1];
    const to = epochs[k];
    const oldLimit = region.maxPayload(from.dataRate);
    t.true(to.dataRate > from.dataRate, `DR${from.dataRate} → DR${to.dataRate} is a rise`);
    t.true(largestBatch(from.frames) <= oldLimit, `at DR${from.dataRate} batches stayed within ${oldLimit} bytes (largest ${largestBatch(from.frames)})`);
    t.true(largestBatch(to.frames) > oldLimit, `at DR${to.dataRate} the gateway cut batches larger than DR${from.dataRate}'s ${oldLimit} bytes (largest ${largestBatch(to.frames)})`);
  }

  // 3. Nothing lost, nothing twice: every sample the gateway took is in exactly one decoded batch.
  // Alerts go unconfirmed and wait in the log only while their frames await the platform's next data-ack.
  t.true(stats.store.pendingAlerts === 0 || (stats.uplink.alertFramesAwaitingAck ?? 0) > 0, 'no alert waits unsent');
  t.true(stats.store.pendingReadings <= 16, `the log holds only frames on the air since the last data-acks (${stats.store.pendingReadings}; a resent frame rides the next request)`);
  t.true((stats.uplink.awaitingAck ?? 99) < 16, 'fewer than one acknowledgement request\'s worth');
  t.is(stats.store.droppedReadings, 0);
  // As the platform keeps them: the ack service names a frame resent after a lost data-ack as a duplicate.
  const readings = heard.flatMap((h) => (h.decoded.type === 'batch' && !h.duplicate ? h.decoded.readings : []));
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the network');
  t.is(new Set(readings.map((r) => `${r.device}.${r.point}@${r.t}`)).size, readings.length, 'and none twice');
  // An alert frame goes on the air in planned copies: the platform keeps each alert once.
  const alerts = [...new Set(heard.flatMap((h) => alertsIn(h.decoded).map((a) => `${a.rule} ${a.level} ${a.state} @${a.t}`)))];
  t.is(alerts.length, stats.alerts, 'every alert event reached the network');
  t.is(mac.counters.confirmedFailed, 0, 'every confirmed frame was acknowledged');

  // 4. The network server rejected nothing: no MIC failure, no counter replay.
  t.deepEqual(ns.stats.rejected, { outage: 0, malformed: 0, unsupported: 0, 'unknown-device': 0, mic: 0, replay: 0, 'devnonce-replay': 0 });
  t.deepEqual(nsEvents.filter((e) => e.type === 'log' && e.level !== 'INFO').map((e) => (e.type === 'log' ? `${e.code} ${e.description}` : '')), [], 'no warning or error from the network server');

  await p.close();
  t.deepEqual(p.errors(), []);

  t.log(`alerts: ${alerts.join('; ')}`);
  t.log(`rises: ${raised.map((e) => `${(e.atMs / MINUTE).toFixed(1)} min → DR${e.dataRate}`).join(', ')}`);
  for (const e of epochs) {
    const batchFrames = e.frames.filter((h) => h.decoded.type === 'batch');
    t.log(`DR${e.dataRate} (limit ${region.maxPayload(e.dataRate)} B): ${e.frames.length} frames (${e.frames.map((h) => h.decoded.type).join(' ')}), ${batchFrames.length} batches, largest batch ${largestBatch(e.frames)} B, batch sizes ${batchFrames.map((h) => h.bytes).join(' ')}`);
  }
  t.log(`${readings.length} readings in ${heard.length} frames (${dataOnAir.length} data frames on air, ${mac.counters.retransmissions} retransmissions), ${stats.samples} samples taken (${stats.queuedSamples} still queued); wall ${Date.now() - started} ms`);
});

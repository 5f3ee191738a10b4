/**
 * The application-ack window when ADR lowers the payload limit below frames
 * already on the air (docs/app-ack.md): nothing may wait on a frame that can
 * no longer go. A reading frame waits to be re-cut at the head of the log while
 * the probe asks by a frame that fits; an alert group is re-packed at once;
 * copies that no longer fit are dropped; and an alert too large to be
 * sequenced goes the confirmed way even while later alerts are on the air.
 */
import { test } from '../../test/kit/core-test.js';
import { encodeAlert } from '../batch/alert.js';
import { buildChannelTable } from '../batch/index.js';
import { exampleSite, fixtureManifests, EXAMPLE_T0 } from '../batch/test-support.js';
import { SEQUENCED_OVERHEAD_BYTES } from '../batch/sequenced.js';
import { MemoryKeyValueStore } from '../ports/storage.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { MemoryFileSystem } from '../store/memory-file-system.js';
import { StoreAndForward } from '../store/store.js';
import { AppAckWindow, SequenceCounter, type DataSend } from './app-ack-window.js';
import { ALERTS_PER_FRAME, alertFrames } from './uplink-sender.js';

const MINUTE = 60_000;

function openStore(): StoreAndForward {
  return StoreAndForward.open({ files: new MemoryFileSystem(), meta: new MemoryKeyValueStore(), capacityBytes: 8 * 16384 });
}

function alertWindow(store: StoreAndForward, clock: VirtualClock, copies: number): AppAckWindow {
  return new AppAckWindow(store, clock, { copies }, { queue: 'alert', sequence: new SequenceCounter(store.nextSeq), frames: alertFrames, recordsPerFrame: ALERTS_PER_FRAME, random: () => 0.5 });
}

function alerts(count: number): Uint8Array[] {
  const table = buildChannelTable(exampleSite(), fixtureManifests());
  return Array.from({ length: count }, (_, i) => encodeAlert({ rule: 'underpass-ponding', device: 'underpass', point: 'level', level: 'warning', state: 'raised', t: EXAMPLE_T0 + i * 1000, value: 16 + i, message: `ponding ${16 + i} cm` }, table));
}

/** What next() gave, as a frame to send (not a wait, a re-cut or nothing). */
function frame(result: ReturnType<AppAckWindow['next']>): DataSend | undefined {
  return result !== undefined && 'seq' in result ? result : undefined;
}

test('a reading frame ADR made too large waits for the head; meanwhile the probe asks by a frame that fits', async (t) => {
  const store = openStore();
  const clock = new VirtualClock();
  const window = new AppAckWindow(store, clock, { requestAfter: 100 });
  store.append('reading', new Uint8Array(10).fill(1));
  store.append('reading', new Uint8Array(60).fill(2));
  const first = frame(window.next(242));
  if (first === undefined) return t.fail('the first frame goes');
  window.sending(first);
  const second = frame(window.next(242));
  if (second === undefined) return t.fail('the second frame goes');
  window.sending(second);
  // The platform has the first, not the second: it reports the second missing (its span starts there).
  window.acknowledged(second.seq, []);
  // ADR: 30 bytes now. The second (63 bytes wrapped) cannot go until it heads the log and is re-cut.
  t.is(window.next(30), undefined, 'nothing can go yet');
  await clock.advance(2 * 60 * MINUTE);
  const probe = frame(window.next(30));
  t.truthy(probe, 'the probe falls due and goes');
  t.is(probe?.record.seq, first.record.seq, 'by the frame that fits');
  t.true(probe?.ackRequested ?? false, 'and asks');
  if (probe !== undefined) window.sending(probe);
  t.true((window.dueInMs() ?? Infinity) > 0, 'after it the window waits for the answer instead of falling due at once');
  // The platform answers with the first: released, the second heads the log and is re-cut.
  window.acknowledged(first.seq, [first.seq]);
  const recut = window.next(30);
  t.true(recut !== undefined && 'recut' in recut && recut.recut.seq === second.record.seq, 'the second is re-cut once it heads the log');
});

test('an alert group reported missing after ADR lowered the limit is re-packed into frames that fit, and they ask', (t) => {
  const store = openStore();
  const clock = new VirtualClock();
  const window = alertWindow(store, clock, 1);
  const payloads = alerts(4);
  for (const payload of payloads) store.append('alert', payload);
  const group = frame(window.next(242));
  if (group === undefined) return t.fail('the group goes');
  t.is(group.count, 4);
  window.sending(group);
  window.acknowledged(group.seq, []);
  // Two alerts' worth of room: the group of four no longer fits.
  const max = 5 + 2 * payloads[0].length + SEQUENCED_OVERHEAD_BYTES;
  t.true(group.payload.length + SEQUENCED_OVERHEAD_BYTES > max);
  let carried = 0;
  const seqs: number[] = [];
  for (let sent = 0; sent < 4; sent++) {
    const next = frame(window.next(max));
    if (next === undefined) break;
    t.true(next.payload.length + SEQUENCED_OVERHEAD_BYTES <= max, `frame of ${next.payload.length} bytes fits ${max}`);
    t.false(next.resend && !next.copy && next.seq === group.seq, 'not the old frame');
    if (seqs.length === 0) t.true(next.ackRequested, 'the first re-packed frame asks, as the resend it replaces would have');
    seqs.push(next.seq);
    carried += next.count;
    window.sending(next);
  }
  t.is(carried, 4, 'every alert of the group goes again');
  t.false(seqs.includes(group.seq), 'under new numbers');
});

test('copies that no longer fit are dropped, not sent over the limit', (t) => {
  const store = openStore();
  const clock = new VirtualClock();
  const window = alertWindow(store, clock, 4);
  for (const payload of alerts(3)) store.append('alert', payload);
  const group = frame(window.next(242));
  if (group === undefined) return t.fail('the group goes');
  window.sending(group);
  const result = window.next(group.payload.length);
  t.is(result, undefined, 'no copy at a limit the frame exceeds');
  t.true((window.dueInMs() ?? Infinity) > 0, 'and no copy falls due');
  t.is(window.stats.copies, 0);
});

test('an alert too large to be sequenced goes another way while later alerts are on the air; that way takes only what is not', (t) => {
  const store = openStore();
  const clock = new VirtualClock();
  const window = alertWindow(store, clock, 1);
  const payloads = alerts(3);
  store.append('alert', payloads[0]);
  store.append('alert', payloads[1]);
  const early = frame(window.next(242));
  if (early === undefined) return t.fail('the first group goes');
  window.sending(early);
  store.append('alert', payloads[2]);
  const late = frame(window.next(242));
  if (late === undefined) return t.fail('the later alert goes');
  t.is(late.count, 1);
  window.sending(late);
  window.acknowledged(early.seq, [late.seq]);
  // US915 DR0: 11 bytes. Not even one alert fits a sequenced frame.
  t.is(frame(window.next(11)), undefined, 'the first group is re-packed, but nothing fits sequenced');
  t.true(window.headTooLarge(11), 'so the head goes the confirmed way');
  t.is(window.notOnAirPrefix(ALERTS_PER_FRAME), 2, 'with at most the alerts before the one on the air');
});

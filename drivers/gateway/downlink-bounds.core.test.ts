/**
 * Issue 9 §1: one downlink must not stop a fire detector being polled. Poll
 * periods by downlink are bounded (1–86 400 s, or the manifest's
 * downlinkPollPeriodS); a refused downlink is counted, answered with a status
 * that says why, never applied and never persisted. The demo site's hydrant
 * (60 s) and pump-room smoke detector (10 s, downlink bounds 2–60 s) in
 * virtual time, the far side decoding what arrives.
 */
import { test } from '../../test/kit/core-test.js';
import type { CoreAssertions } from '../../test/kit/assertions.js';
import { findChannel } from '../batch/channels.js';
import { writeUint } from '../batch/fixed-bytes.js';
import { DOWNLINK_POLL_PERIOD, encodeDownlink } from './downlink.js';
import { loadPollOverrides, POLL_OVERRIDES_KEY } from './poll-overrides.js';
import { MINUTE, Pipeline } from './test-support.js';

const HYDRANT = 'hydrant-north';
const SMOKE = 'smoke-pump-room';

/** `02 cccc pppppp`, written by hand: encodeDownlink would refuse nothing the wire can carry. */
function pollPeriodBytes(p: Pipeline, device: string, periodS: number): Uint8Array {
  const channel = p.gateway.channelTable.channels.find((c) => c.device === device && c.retired !== true);
  if (channel === undefined) throw new Error(`no channel for ${device}`);
  const bytes = new Uint8Array(6);
  bytes[0] = DOWNLINK_POLL_PERIOD;
  writeUint(bytes, 1, channel.index, 2);
  writeUint(bytes, 3, periodS, 3);
  return bytes;
}

/** Gaps between consecutive poll starts of `device` from `fromMs` on, in seconds. */
function gapsS(p: Pipeline, device: string, fromMs: number): number[] {
  const starts = p.polls(device).map((e) => e.atMs - e.poll.durationMs).filter((ms) => ms >= fromMs);
  return starts.slice(1).map((ms, i) => Math.round((ms - starts[i]) / 1000));
}

function everyGap(t: CoreAssertions, gaps: number[], periodS: number, what: string): void {
  t.true(gaps.length > 0 && gaps.every((gap) => Math.abs(gap - periodS) <= 1), `${what}: polled every ${periodS} s (gaps ${gaps.join(', ')} s)`);
}

test('the original bug: 02 cccc ffffff (16 777 215 s) is refused, answered with why, not persisted, and the hydrant keeps being polled', async (t) => {
  const p = new Pipeline({ devices: [HYDRANT] });
  p.gateway.start();
  await p.until(2 * MINUTE);
  const statusBefore = p.gateway.stats().statusSent;
  const downlink = pollPeriodBytes(p, HYDRANT, 16_777_215);
  p.uplink.downlink(11, downlink);
  await p.until(2 * MINUTE + 1000);
  const errors = p.events.flatMap((e) => (e.kind === 'error' ? [e.error] : []));
  t.is(errors.length, 1);
  t.is((errors[0] as { code?: string }).code, 'DOWNLINK_OUT_OF_BOUNDS');
  t.true(errors[0].message.includes('poll period 16777215 s for device \'hydrant-north\' refused: it must be 1–86400 s'), errors[0].message);
  t.is(p.gateway.stats().refusedDownlinks, 1);
  t.is(p.events.filter((e) => e.kind === 'downlink').length, 0, 'not reported as obeyed');
  t.is(p.meta.get(POLL_OVERRIDES_KEY), undefined, 'nothing persisted');

  t.is(p.gateway.stats().statusSent, statusBefore + 1, 'answered with one status');
  const answer = p.uplink.decoded('status').at(-1);
  t.deepEqual(answer?.status.refused, { count: 1, downlink: DOWNLINK_POLL_PERIOD, reason: 'out-of-bounds', index: downlink[1] * 256 + downlink[2] });

  await p.until(30 * MINUTE);
  everyGap(t, gapsS(p, HYDRANT, 2 * MINUTE), 60, 'after the refused downlink');
  t.deepEqual(p.alertLines(), [], 'no offline alarm: it never stopped');
  await p.reboot();
  const rebootAt = p.clock.now();
  await p.until(rebootAt + 10 * MINUTE);
  everyGap(t, gapsS(p, HYDRANT, rebootAt), 60, 'after a reboot');
  t.is(p.uplink.decoded('status').at(-1)?.status.refused, undefined, 'a new run has refused nothing');
  await p.close();
});

test('bounds: 1 and 86 400 s are obeyed, 86 401 refused; a manifest narrows them (smoke detector 2–60 s); 0 still clears', async (t) => {
  const p = new Pipeline({ devices: [HYDRANT, SMOKE] });
  p.gateway.start();
  await p.until(MINUTE);
  const send = async (device: string, periodS: number) => {
    p.uplink.downlink(11, pollPeriodBytes(p, device, periodS));
    await p.clock.advance(MINUTE);
  };
  await send(HYDRANT, 86_400);
  t.deepEqual([...(loadPollOverrides(p.meta)?.overrides.periods ?? [])], [[HYDRANT, 86_400]]);
  await send(HYDRANT, 86_401);
  await send(SMOKE, 61);
  await send(SMOKE, 1);
  t.is(p.gateway.stats().refusedDownlinks, 3);
  t.deepEqual(p.errors().map((e) => e.split(' refused:')[0]), ['poll period 86401 s for device \'hydrant-north\'', 'poll period 61 s for device \'smoke-pump-room\'', 'poll period 1 s for device \'smoke-pump-room\'']);
  t.true(p.errors()[1].includes('it must be 2–60 s (its manifest\'s downlinkPollPeriodS)'), p.errors()[1]);
  await send(SMOKE, 60);
  await send(HYDRANT, 1);
  t.deepEqual([...(loadPollOverrides(p.meta)?.overrides.periods ?? [])], [[HYDRANT, 1], [SMOKE, 60]], 'only what was obeyed is persisted');
  const from = p.clock.now();
  await p.clock.advance(5 * MINUTE);
  everyGap(t, gapsS(p, SMOKE, from), 60, 'smoke detector at its manifest\'s maximum');
  await send(HYDRANT, 0);
  t.deepEqual([...(loadPollOverrides(p.meta)?.overrides.periods ?? [])], [[SMOKE, 60]], 'period 0 clears the override');
  await p.close();
});

test('malformed and unknown-target downlinks are refused with their reason in the status', async (t) => {
  const p = new Pipeline({ devices: [HYDRANT] });
  p.gateway.start();
  await p.until(MINUTE);
  p.uplink.downlink(11, Uint8Array.of(0x02, 0x00));
  await p.clock.advance(MINUTE);
  t.deepEqual(p.uplink.decoded('status').at(-1)?.status.refused, { count: 1, downlink: 2, reason: 'malformed' });
  p.uplink.downlink(11, Uint8Array.of(0x02, 0x01, 0x00, 0x00, 0x00, 0x3c));
  await p.clock.advance(MINUTE);
  t.deepEqual(p.uplink.decoded('status').at(-1)?.status.refused, { count: 2, downlink: 2, reason: 'unknown-target', index: 256 });
  p.uplink.downlink(11, encodeDownlink({ kind: 'poll-period', device: HYDRANT, periodS: 30 }, p.gateway.channelTable));
  await p.clock.advance(MINUTE);
  t.is(p.uplink.decoded('status').at(-1)?.status.refused, undefined, 'an obeyed downlink is answered with the plain status');
  t.is(p.gateway.stats().refusedDownlinks, 2);
  await p.close();
});

test('on an uplink that cannot carry 17 bytes the plain status answers, and the refusal goes out once it can', async (t) => {
  const p = new Pipeline({ devices: [HYDRANT], uplink: { maxPayloadBytes: 11 } });
  p.gateway.start();
  await p.until(MINUTE);
  p.uplink.downlink(11, pollPeriodBytes(p, HYDRANT, 100_000));
  await p.clock.advance(MINUTE);
  const answer = p.uplink.decoded('status').at(-1);
  t.is(answer?.status.refused, undefined);
  t.true(answer !== undefined && answer.atMs >= MINUTE, 'answered all the same');
  p.uplink.maxPayload = 51;
  await p.until(61 * MINUTE + 1000);
  t.deepEqual(p.uplink.decoded('status').at(-1)?.status.refused, { count: 1, downlink: 2, reason: 'out-of-bounds', index: findChannel(p.gateway.channelTable, HYDRANT, 'pressure')?.index });
  await p.close();
});

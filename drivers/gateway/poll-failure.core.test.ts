/**
 * Every failed poll names its reason: the scheduler polls a Modbus level sensor
 * whose far end is scripted to stay silent, corrupt its CRC, answer with an
 * exception, or answer too late, and the poll the pipeline receives says so,
 * in the summary (reason, code, exception name) and in the console line.
 */
import { test, type CoreAssertions } from '../../test/kit/core-test.js';
import { withCrc } from '../modbus/crc16.js';
import { ScriptedResponder, type ScriptedReply } from '../modbus/test-support.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { PortScheduler, type PollResult } from '../scheduler/port-scheduler.js';
import { shippedManifests } from '../../sdk/site/demo-site.js';
import { describeEvent } from './event-text.js';
import { describePollFailures, failedPointCount, failureReason, summarizePollFailures } from './poll-failure.js';
import type { BusConfig } from './site.js';

const BUS: BusConfig = {
  id: 'rs485-1',
  port: 'mem:1',
  baud: 9600,
  parity: 'none',
  stopBits: 1,
  timeoutMs: 1000, // the manifest's 500 ms wins
  // One attempt per request: a retry would take the late reply to the first attempt as its own.
  devices: [{ id: 'level-1', manifest: 'water-level-rs485', address: 3, pollPeriodS: 60, retries: 0 }],
};

/** A data reply of the right length for a read request, values 0. */
function dataReply(request: Uint8Array): Uint8Array {
  const count = (request[4] << 8) | request[5];
  return withCrc(Uint8Array.from([request[0], request[1], count * 2, ...new Array<number>(count * 2).fill(0)]));
}

async function firstPoll(script: (request: Uint8Array) => ScriptedReply | undefined): Promise<PollResult> {
  const clock = new VirtualClock();
  const [gatewaySide, deviceSide] = createStreamPair({ clock, line: { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 } });
  new ScriptedResponder(deviceSide, clock, script);
  const polls: PollResult[] = [];
  const scheduler = new PortScheduler({ bus: BUS, stream: gatewaySide, clock, manifests: shippedManifests(), onPoll: (poll) => polls.push(poll) });
  scheduler.start();
  await clock.advanceTo(10_000);
  await clock.run(scheduler.close());
  if (polls.length === 0) throw new Error('no poll in 10 s');
  return polls[0];
}

function expectOneCause(t: CoreAssertions, poll: PollResult, reason: string, code: string, label: string): void {
  const summary = summarizePollFailures(poll);
  if (summary === undefined) return t.fail('the poll failed, so there is a summary');
  t.is(summary.failed, summary.total, 'every point failed');
  t.is(summary.groups.length, 1, 'one cause');
  t.is(summary.groups[0].reason, reason);
  t.is(summary.groups[0].code, code);
  t.is(summary.groups[0].label, label);
  const line = describeEvent({ kind: 'poll', poll }) ?? '';
  t.true(line.startsWith(`poll level-1: ${summary.failed}/${summary.total} points failed: ${label} at rs485-1 unit 3 FC03`), line);
}

test('a silent device: the poll failed by timeout', async (t) => {
  const poll = await firstPoll(() => undefined);
  expectOneCause(t, poll, 'timeout', 'MODBUS_TIMEOUT', 'timeout');
});

test('a reply with a bad CRC: the poll failed by CRC', async (t) => {
  const poll = await firstPoll((request) => {
    const reply = dataReply(request);
    reply[reply.length - 1] ^= 0xff;
    return { bytes: reply };
  });
  expectOneCause(t, poll, 'crc', 'MODBUS_CRC', 'CRC');
});

test('an exception reply: the poll names the exception code and its Modbus name', async (t) => {
  const poll = await firstPoll((request) => ({ bytes: withCrc(Uint8Array.from([request[0], request[1] | 0x80, 2])) }));
  expectOneCause(t, poll, 'exception', 'MODBUS_EXCEPTION', 'exception 2 ILLEGAL_DATA_ADDRESS');
  t.deepEqual(summarizePollFailures(poll)?.groups[0].exception, { code: 2, name: 'ILLEGAL_DATA_ADDRESS' });
});

test('a reply after the timeout: the poll failed by a late reply', async (t) => {
  const poll = await firstPoll((request) => ({ bytes: dataReply(request), delayMs: 700 }));
  expectOneCause(t, poll, 'late-reply', 'MODBUS_LATE_RESPONSE', 'late reply');
});

test('a poll that read every point has no failure summary and no console line', async (t) => {
  const poll = await firstPoll((request) => {
    const reply = dataReply(request);
    // Plausible values: slave address 3 and decimals 0 are in range; 0 cm is a level.
    if (reply.length > 5) reply[4] = 3;
    return { bytes: withCrc(reply.slice(0, reply.length - 2)) };
  });
  t.is(failedPointCount(poll.readings), 0, JSON.stringify(Object.keys(poll.readings).filter((p) => !poll.readings[p].ok)));
  t.is(summarizePollFailures(poll), undefined);
  t.is(describeEvent({ kind: 'poll', poll }), undefined);
});

test('causes are grouped, largest first, and errors without a code are "other"', (t) => {
  const timeout = Object.assign(new Error('no response within 1000 ms'), { code: 'MODBUS_TIMEOUT', where: 'rs485-1 unit 3 FC03 address 0 count 4' });
  const range = Object.assign(new Error("point 'level': 900 is outside"), { code: 'POINT_OUT_OF_RANGE' });
  const poll: PollResult = {
    bus: 'rs485-1',
    device: 'level-1',
    t: 0,
    durationMs: 1000,
    readings: { a: { ok: false, error: timeout }, b: { ok: false, error: timeout }, c: { ok: false, error: range }, d: { ok: true, value: 1 }, e: { ok: false, error: new Error('boom') } },
  };
  const summary = summarizePollFailures(poll);
  t.deepEqual(summary?.groups.map((g) => [g.reason, g.points.join(',')]), [['timeout', 'a,b'], ['out-of-range', 'c'], ['other', 'e']]);
  t.is(summary === undefined ? '' : describePollFailures(summary), '4/5 points failed: timeout at rs485-1 unit 3 FC03 address 0 count 4 (a, b); out of range (c); error (e)');
  t.is(failureReason(new Error('x')), 'other');
});

/**
 * The reference ack service's policy (ack-policy.ts), frame by frame, on
 * Node and XS: when a data-ack is due and when it is not. Each downlink it
 * sends costs the half-duplex base station its hearing, so the cases where
 * it stays silent matter as much as those where it answers.
 */
import { test } from '../../test/kit/core-test.js';
import { decodeDownlink } from '../../drivers/gateway/downlink.js';
import { buildChannelTable } from '../../drivers/batch/index.js';
import { fixtureManifests, fixtureSite } from '../../drivers/batch/test-support.js';
import { AckPolicy } from './ack-policy.js';

const table = buildChannelTable(fixtureSite(), fixtureManifests());
const GW = 'gw-1';

/** The numbers a data-ack names as received, and those it reports missing below the highest named. */
function read(ack: Uint8Array | undefined): { received: number[]; missing: number[] } {
  const downlink = ack === undefined ? undefined : decodeDownlink(ack, table);
  if (downlink?.kind !== 'data-ack') return { received: [], missing: [] };
  const received = [...downlink.seqs];
  const top = Math.max(...received);
  const missing: number[] = [];
  for (let s = downlink.base; s < top; s++) if (!received.includes(s)) missing.push(s);
  return { received, missing };
}

test('a gap shown by alert frames is reported after the grace time (copies fill it in time at no downlink cost); one shown by a data frame at once', (t) => {
  const policy = new AckPolicy();
  const ALERT = true;
  t.is(policy.frame(GW, 0, false, 0).ack, undefined);
  // 1 (an alert) lost its first copy; 2, a newer alert, overtook its copies: not news yet.
  t.is(policy.frame(GW, 2, false, 1_000, ALERT).ack, undefined, 'a number skipped by an alert frame is not reported at once');
  // 1's second copy comes: nothing to report, ever.
  const copy = policy.frame(GW, 1, false, 4_000, ALERT);
  t.is(copy.ack, undefined);
  t.false(copy.duplicate);
  t.is(policy.frame(GW, 3, false, 20_000, ALERT).ack, undefined, 'the gap was filled: no report after the grace either');
  // 4 lost with all its copies; alert frames 5 and 6 show it; the first frame 10 s later reports it.
  t.is(policy.frame(GW, 5, false, 30_000, ALERT).ack, undefined);
  t.is(policy.frame(GW, 6, false, 35_000, ALERT).ack, undefined, 'still inside the grace');
  const late = policy.frame(GW, 7, false, 41_000, ALERT);
  t.is(late.reason, 'gap');
  t.deepEqual(read(late.ack).missing, [4], 'the data-ack reports 4 missing');
  // The gateway resends 4, asking: the run is over.
  t.is(policy.frame(GW, 4, true, 45_000, ALERT).reason, 'requested');
  // 8 lost, a data frame shows it: the gateway sends copies before data, so it is news at once.
  const data = policy.frame(GW, 9, false, 50_000);
  t.is(data.reason, 'gap', 'a data frame shows the gap: reported in its own receive window');
  t.deepEqual(read(data.ack).missing, [8]);
});

test('copies of a frame are duplicates and are not answered; a duplicate that asks is', (t) => {
  const policy = new AckPolicy();
  policy.frame(GW, 10, false, 0);
  const copy = policy.frame(GW, 10, false, 2_500);
  t.true(copy.duplicate);
  t.is(copy.ack, undefined, 'a planned copy: no downlink');
  const asking = policy.frame(GW, 10, true, 70_000);
  t.true(asking.duplicate);
  t.is(asking.reason, 'duplicate', 'the gateway resent it asking: its data-ack was lost, answer again');
  t.deepEqual(read(asking.ack).received, [10]);
});

test('while the gateway resends what a data-ack reported missing, the numbers between its resends are not news', (t) => {
  const policy = new AckPolicy();
  policy.frame(GW, 0, false, 0);
  // An outage: 1…9 never arrived; 10, a data frame, asks and shows the gap.
  const report = policy.frame(GW, 10, true, 600_000);
  t.is(report.reason, 'gap');
  t.deepEqual(read(report.ack).missing, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // The gateway resends its alerts first (3, 6, 8), then its data: the gaps between them were reported already.
  for (const [seq, at] of [[3, 612_000], [6, 624_000], [8, 636_000], [1, 648_000], [2, 660_000]] as const) {
    t.is(policy.frame(GW, seq, false, at).ack, undefined, `resend ${seq}: no downlink`);
  }
  // The run's last frame asks: one data-ack answers the run.
  const end = policy.frame(GW, 4, true, 672_000);
  t.is(end.reason, 'requested');
  t.deepEqual(read(end.ack).missing.filter((s) => s < 10), [5, 7, 9], 'what is still missing is reported again');
});

test('a period backstop: the platform acknowledges unasked after 24 frames', (t) => {
  const policy = new AckPolicy();
  let due: string | undefined;
  for (let seq = 0; seq < 24 && due === undefined; seq++) due = policy.frame(GW, seq, false, seq * 60_000).reason;
  t.is(due, 'period');
  t.is(policy.stats.acks, 1);
});

/**
 * The rpi bench reads the gateway's report lines: the line `axon gateway run`
 * prints (reportLine) must parse to the same counters, so a change to the log
 * format cannot silently turn the bench's figures into zeros. Also the
 * suite's flags (no timing here).
 */
import test from 'ava';
import type { GatewayStats } from '../../drivers/gateway/gateway.js';
import { reportLine } from '../../firmware/rpi/host/gateway-host.js';
import { rpiBenchOptions } from '../suites/rpi.js';
import { parseReportLine } from './gateway-under-test.js';

const stats: GatewayStats = {
  polls: 12_345, failedPolls: 7, missedPolls: 3, samples: 123_000, alerts: 11, alertsSent: 11, alertFramesSent: 9, framesSent: 40, statusSent: 2, bytesSent: 99_000,
  sendFailures: 0, refusedDownlinks: 0, queuedSamples: 500,
  store: { pendingAlerts: 0, pendingReadings: 1, droppedReadings: 6, usedBytes: 2048, capacityBytes: 262_144 },
  uplink: { state: 'idle' }, activeAlarms: [{ rule: 'b1-u1.offline', level: 'warning', acknowledged: false, since: 0 }] as unknown as GatewayStats['activeAlarms'],
};

test('the report line of axon gateway run parses to its counters', (t) => {
  t.deepEqual(parseReportLine(`report: ${reportLine(stats)}`), { polls: 12_345, failed: 7, missed: 3, alerts: 11, dropped: 6 });
  t.is(parseReportLine('sent reading, 16 B'), undefined);
});

test('rpi bench flags: defaults are the issue\'s windows; shorter runs by flag; unknown flags refused', (t) => {
  t.like(rpiBenchOptions([]), { windowS: 60, warmupS: 15, rssAfterS: 180, flushEveryS: 60, only: ['cpu20', 'cpu200', 'rss'] });
  t.like(rpiBenchOptions(['--window-s', '10', '--only', 'cpu200']), { windowS: 10, only: ['cpu200'] });
  t.throws(() => rpiBenchOptions(['--window', '10']), { message: /unknown flag --window/ });
  t.throws(() => rpiBenchOptions(['--only', 'cpu2000']), { message: /phases are cpu20, cpu200, rss/ });
  t.is(rpiBenchOptions([]).nodeFlags, undefined, 'the installed unit\'s node flags unless told otherwise');
  t.deepEqual(rpiBenchOptions(['--node-flags', '--max-semi-space-size=1  --single-threaded-gc']).nodeFlags, ['--max-semi-space-size=1', '--single-threaded-gc']);
  t.deepEqual(rpiBenchOptions(['--node-flags', '']).nodeFlags, []);
  t.throws(() => rpiBenchOptions(['--node-flags', 'max-semi-space-size=1']), { message: /is not a node flag/ });
});

/**
 * The harness's long-run mode, inside XS (xsnap): with `keepHistory: false`
 * (what esp32:sim runs for a virtual day on Moddable's engine) the doubles and
 * simulators count instead of keeping every pin write, datagram, AT command
 * and server message, and the `summary` reply carries the counts. Before,
 * esp32:sim asked for the full `report` and kept every history in the XS heap
 * it measures: a day's report never finished (its text was decoded one
 * character at a time in XS, copied whole at every step).
 */
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HarnessSummary } from '../sim/report-summary.js';
import { withHarness } from './run-harness.js';
import type { Scenario } from './scenario.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SITE = path.resolve(here, '../../../manifests/sites/demo-esp32.json');
const MINUTE = 60_000;
/** Past the smoke alarm (minutes 2 to 4) and the first batch flush (5 min). */
const RUN_MS = 6 * MINUTE;
const SCENARIO: Scenario = { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 2, durationMinutes: 2 } } } };

interface Report {
  pins: Record<string, { writes: unknown[] }>;
  datagrams: unknown[];
  messages: Array<{ alert: boolean }>;
  modem: { commands: string[] };
  trace: string[];
}

async function run(keepHistory: boolean): Promise<{ report: Report; summary: HarnessSummary; summaryBytes: number }> {
  return withHarness({ site: SITE }, async (command) => {
    await command(`setup ${JSON.stringify({ ...SCENARIO, keepHistory })}`);
    await command('boot');
    for (let t = 0; t < RUN_MS; t += MINUTE) await command(`advance ${MINUTE}`);
    const summary = await command<HarnessSummary>('summary');
    return { report: await command<Report>('report'), summary, summaryBytes: JSON.stringify(summary).length };
  });
}

test('keepHistory false: the summary counts what a full run records, and no history is kept', async (t) => {
  const full = await run(true);
  const counted = await run(false);
  const { report } = full;
  t.true(report.datagrams.length > 0 && report.messages.some((m) => m.alert), 'the full run sent datagrams and an alert');
  t.deepEqual(
    { ...counted.summary },
    {
      ...full.summary,
      datagrams: report.datagrams.length,
      messages: report.messages.length,
      alertMessages: report.messages.filter((m) => m.alert).length,
      traceLines: report.trace.length,
    },
    'the same counts, and they agree with the full report',
  );
  t.deepEqual(Object.values(counted.report.pins).map((p) => p.writes.length), Object.values(report.pins).map(() => 0), 'no pin writes kept');
  t.deepEqual([counted.report.datagrams, counted.report.messages, counted.report.modem.commands], [[], [], []], 'no datagrams, server messages or AT commands kept');
  t.true(Object.values(report.pins).some((p) => p.writes.length > 0) && report.modem.commands.length > 0, 'while the full run keeps them');
  t.true(counted.summaryBytes < 1000, `the summary is small (${counted.summaryBytes} bytes)`);
});

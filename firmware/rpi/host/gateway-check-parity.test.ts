/**
 * `axon gateway check` accepts exactly what `axon gateway run` accepts: both
 * commands as child processes, as an installer runs them, on the same files
 * for every refusal reason and for a runnable pair with a warning. Their
 * verdicts (exit code, every refusal line, every warning line) must be equal,
 * and run must really start when check says ok.
 */
import test from 'ava';
import { runCli, type CliResult } from '../../../sdk/cli/test-kit.js';
import { fixture, REFUSALS, type Case, type Fixture } from './preflight-fixture.js';

/** The lines that carry the verdict: the numbered refusals and the warnings, without the timestamps run adds on a terminal. */
function verdict(result: CliResult): { code: number | null; refusals: string[]; warnings: string[] } {
  const lines = result.stderr.split('\n');
  return {
    code: result.code,
    refusals: lines.filter((line) => /^\s+\d+\. /.test(line)).map((line) => line.trim()),
    warnings: lines.filter((line) => line.startsWith('warning: ')),
  };
}

async function bothCommands(f: Fixture) {
  f.write();
  const files = ['--site', f.siteFile, '--config', f.configFile, '--data', f.dataDir];
  const [check, run] = await Promise.all([
    runCli(['gateway', 'check', ...files]),
    runCli(['gateway', 'run', ...files, '--report-every', '0', '--duration', '1']),
  ]);
  return { check, run };
}

const RUNNABLE_WITH_A_WARNING: Case = {
  name: 'runnable, with a serial adapter not plugged in yet',
  edit: (f) => (f.config.buses['rs485-1'].port = f.at('ttyUSB-not-plugged-in')),
  refusal: /^$/,
};

for (const c of [RUNNABLE_WITH_A_WARNING, ...REFUSALS]) {
  test.serial(`check and run agree: ${c.name}`, async (t) => {
    const f = fixture();
    t.teardown(() => f.remove());
    c.edit(f);
    const { check, run } = await bothCommands(f);
    const checked = verdict(check);
    const ran = verdict(run);
    const transcript = `check:\n${check.stdout}${check.stderr}\nrun:\n${run.stdout}${run.stderr}`;
    t.deepEqual(ran, checked, transcript);
    if (c === RUNNABLE_WITH_A_WARNING) {
      t.is(checked.code, 0, transcript);
      t.regex(check.stdout, /^ok {2}site /m);
      t.regex(run.stdout, /ran for 1 s: stopping/, 'run started and stopped by itself');
      t.is(checked.warnings.length, 1, transcript);
      t.regex(checked.warnings[0], /serial port .*ttyUSB-not-plugged-in does not exist \(yet\)/);
    } else {
      t.is(checked.code, 1, transcript);
      t.is(checked.refusals.length, 1, transcript);
      t.regex(checked.refusals[0], c.refusal);
      t.notRegex(run.stdout, /gateway preflight-gw: site/, 'run refused before starting anything');
    }
  });
}

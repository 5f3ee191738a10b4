/** `axon dlt645 read` against `axon sim device` with the DL/T 645-2007 meter manifest. */
import test from 'ava';

// Serial: the simulators are child processes (node + tsx); a file's worth at once on a shared 2-core machine makes them all slow.
// The commands under test run in-process (runInProcess): no compile per call, nothing that depends on machine speed.
import { DLT645_METER, freshLink, runInProcess, startCli } from './test-kit.js';

test.serial('dlt645 read gets forward active energy by address and by wildcard', async (t) => {
  const link = freshLink();
  const sim = startCli(t, ['sim', 'device', '--manifest', DLT645_METER, '--pty', link, '--quiet']);
  await sim.waitFor(/listening on /);

  const direct = await runInProcess(['dlt645', 'read', '--timeout', '10000', '--port', link, '--address', '000000000161', '--di', '00010000', '--json']);
  t.is(direct.code, 0, direct.stderr);
  const reading = JSON.parse(direct.stdout) as { address: string; di: string; value: number; unit: string; name: string };
  t.is(reading.address, '000000000161');
  t.is(reading.di, '00010000');
  t.is(reading.unit, 'kWh');
  t.is(reading.name, 'forward_active_energy_total');
  // The counter starts at 0.06 kWh and adds 0.9 kWh per hour: a test never sees much more.
  t.true(reading.value >= 0.06 && reading.value < 0.1, `value ${reading.value}`);

  const wildcard = await runInProcess(['dlt645', 'read', '--timeout', '10000', '--port', link, '--address', 'AAAAAAAAAAAA', '--di', '00010000']);
  t.is(wildcard.code, 0, wildcard.stderr);
  t.regex(wildcard.stdout, /^meter address: 000000000161\n/);
  t.regex(wildcard.stdout, /meter 000000000161 DI 00010000 forward_active_energy_total = 0\.\d+ kWh/);
});

test.serial('dlt645 read reports the meter\'s refusal of an unknown DI and a silent address', async (t) => {
  const link = freshLink();
  const sim = startCli(t, ['sim', 'device', '--manifest', DLT645_METER, '--pty', link, '--quiet']);
  await sim.waitFor(/listening on /);
  const refused = await runInProcess(['dlt645', 'read', '--timeout', '10000', '--port', link, '--address', '000000000161', '--di', '04000401']);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^axon: meter refused the request/);
  const silent = await runInProcess(['dlt645', 'read', '--port', link, '--address', '000000000999', '--di', '00010000', '--timeout', '300', '--retries', '0']);
  t.is(silent.code, 1);
  t.regex(silent.stderr, /no reply within 300 ms/);
});

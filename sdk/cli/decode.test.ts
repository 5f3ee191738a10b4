/** `axon decode dlt645|cjt188` on the public frames of DESIGN.md §4. */
import test from 'ava';

// Serial: the simulators are child processes (node + tsx); a file's worth at once on a shared 2-core machine makes them all slow.
// The commands under test run in-process (runInProcess): no compile per call, nothing that depends on machine speed.
import { runInProcess } from './test-kit.js';

test.serial('decode dlt645 describes the public reply: address, DI, 0.06 kWh, checksum ok', async (t) => {
  const result = await runInProcess(['decode', 'dlt645', '68 14 01 00 31 82 21 68 91 08 33 33 34 33 39 33 33 33 F1 16']);
  t.is(result.code, 0, result.stderr);
  const frame = JSON.parse(result.stdout) as Record<string, unknown>;
  t.like(frame, { protocol: 'dlt645', address: '218231000114', control: '91', di: '00010000', value: 0.06, unit: 'kWh', checksumOk: true, direction: 'meter-to-master' });
});

test.serial('decode dlt645 takes the bytes as separate words too, and a request decodes without a value', async (t) => {
  const result = await runInProcess(['decode', 'dlt645', ...'FE FE 68 61 01 00 00 00 00 68 11 04 33 33 34 33 14 16'.split(' '), '--compact']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout.trim().split('\n').length, 1);
  const frame = JSON.parse(result.stdout) as Record<string, unknown>;
  t.like(frame, { address: '000000000161', control: '11', function: 'read data', di: '00010000', checksumOk: true, preambleBytes: 2 });
  t.is(frame.value, undefined);
});

test.serial('decode dlt645 flags a bad checksum instead of refusing the frame', async (t) => {
  const result = await runInProcess(['decode', 'dlt645', '68 14 01 00 31 82 21 68 91 08 33 33 34 33 39 33 33 33 F2 16']);
  t.is(result.code, 0, result.stderr);
  t.like(JSON.parse(result.stdout), { checksumOk: false, checksum: 'F2', expectedChecksum: 'F1' });
});

test.serial('decode cjt188 describes a water-meter request and a 901F reply', async (t) => {
  const request = await runInProcess(['decode', 'cjt188', '68 10 12 00 00 00 00 00 00 01 03 90 1F 00 3D 16']);
  t.is(request.code, 0, request.stderr);
  t.like(JSON.parse(request.stdout), { protocol: 'cjt188', meterType: '10', address: '00000000000012', control: '01', di: '901F', checksumOk: true });

  const reply = await runInProcess(['decode', 'cjt188', '68 10 12 00 00 00 00 00 00 81 16 90 1F 07 56 34 12 00 2C 00 00 12 00 2C 30 45 13 17 05 24 20 05 00 CA 16']);
  t.is(reply.code, 0, reply.stderr);
  const frame = JSON.parse(reply.stdout) as { values: Record<string, { value: number; unit: string }>; time: string; checksumOk: boolean };
  t.deepEqual(frame.values.cumulative_flow, { value: 1234.56, unit: 'm³', unitCode: 0x2c });
  t.is(frame.time, '2024-05-17T13:45:30');
  t.true(frame.checksumOk);
});

test.serial('bad hex is refused with the offending character named', async (t) => {
  const result = await runInProcess(['decode', 'dlt645', '68 14 0G 00']);
  t.not(result.code, 0);
  t.regex(result.stderr, /'G'.*not a hex digit/);
  const odd = await runInProcess(['decode', 'cjt188', '68 1']);
  t.not(odd.code, 0);
  t.regex(odd.stderr, /odd number of digits/);
  const none = await runInProcess(['decode', 'cjt188']);
  t.is(none.code, 2);
});

test.serial('bytes that are not a frame fail with exit 1 and say why', async (t) => {
  const result = await runInProcess(['decode', 'dlt645', '01 02 03 04']);
  t.is(result.code, 1);
  t.regex(result.stderr, /^axon: /);
});

import { test } from '../../test/kit/core-test.js';
import { NbIotCmeError, NbIotError } from './errors.js';
import type { Urc } from './urc.js';
import { scriptedEngine } from './test-support.js';

test('a command resolves on OK with its prefixed reply lines stripped of the prefix', async (t) => {
  const { clock, engine, modem } = scriptedEngine((command) => (command === 'AT+CSQ' ? ['\r\n+CSQ:17,99\r\n', '\r\nOK\r\n'] : undefined));
  const reply = await clock.run(engine.command('AT+CSQ'));
  t.deepEqual(reply, { command: 'AT+CSQ', lines: ['17,99'] });
  t.deepEqual(modem.commands, ['AT+CSQ']);
});

test('the echoed command is skipped, whether or not echo is on', async (t) => {
  const { clock, engine } = scriptedEngine((command) => [`${command}\r\r\n`, '\r\n1\r\n\r\nOK\r\n']);
  const reply = await clock.run(engine.command('AT+NSOCR=DGRAM,17,0,1'));
  t.deepEqual(reply.lines, ['1']);
  t.is(engine.stats.echoes, 1);
});

test('+CME ERROR carries the code, a known name and a fix', async (t) => {
  const { clock, engine } = scriptedEngine(() => ['\r\n+CME ERROR: 159\r\n']);
  const error = (await t.throwsAsync(clock.run(engine.command('AT+NSOST=0,1.2.3.4,5683,1,AA')), { code: 'NBIOT_CME_ERROR', name: 'NbIotCmeError' })) as NbIotCmeError;
  t.is(error.cmeCode, 159);
  t.is(error.cmeName, 'uplink busy (flow control)');
  t.is(error.command, 'AT+NSOST=0,1.2.3.4,5683,1,AA');
  t.truthy(error.fix);
  t.true(/\+CME ERROR: 159/.test(error.message));
});

test('an unknown CME code, ERROR and +CMS ERROR are named errors too', async (t) => {
  const replies = ['\r\n+CME ERROR: 9999\r\n', '\r\nERROR\r\n', '\r\n+CMS ERROR: 500\r\n', '\r\n+CME ERROR: garbled\r\n'];
  const { clock, engine } = scriptedEngine((_c, i) => [replies[i]]);
  const unknown = (await t.throwsAsync(clock.run(engine.command('AT+X')), { code: 'NBIOT_CME_ERROR' })) as NbIotCmeError;
  t.is(unknown.cmeName, 'unknown error code');
  await t.throwsAsync(clock.run(engine.command('AT+X')), { code: 'NBIOT_ERROR' });
  await t.throwsAsync(clock.run(engine.command('AT+X')), { code: 'NBIOT_CMS_ERROR' });
  t.is(((await t.throwsAsync(clock.run(engine.command('AT+X')))) as NbIotCmeError).cmeCode, -1);
});

test('silence times out after the per-command timeout with where and fix', async (t) => {
  const { clock, engine } = scriptedEngine(() => undefined, { timeoutMs: 1000 });
  const started = clock.now();
  const error = (await t.throwsAsync(clock.run(engine.command('AT+CGATT?', { timeoutMs: 2500 })), { code: 'NBIOT_TIMEOUT' })) as NbIotError;
  t.is(clock.now() - started, 2500);
  t.is(error.where, 'AT+CGATT?');
  t.true(/baud rate/.test(error.fix ?? ''));
  t.is(error.name, 'NbIotError');
});

test('a URC between a reply and its OK goes to its handler, not into the reply', async (t) => {
  const { clock, engine } = scriptedEngine(() => ['\r\n0,10\r\n', '\r\n+NSONMI:0,4\r\n', '\r\n+CEREG:1\r\n\r\nOK\r\n']);
  const seen: Urc[] = [];
  engine.onUrc('+NSONMI', (urc) => seen.push(urc));
  engine.onUrc('+CEREG', (urc) => seen.push(urc));
  const reply = await clock.run(engine.command('AT+NSOST=0,1.2.3.4,5683,10,00112233445566778899'));
  t.deepEqual(reply.lines, ['0,10']);
  t.deepEqual(seen.map((u) => [u.name, u.args]), [['+NSONMI', ['0', '4']], ['+CEREG', ['1']]]);
  t.is(engine.stats.urcs, 2);
});

test('the pending command\'s own prefix wins over the URC table (AT+CEREG? gets its +CEREG line)', async (t) => {
  const { clock, engine } = scriptedEngine(() => ['\r\n+CEREG:1,5\r\n\r\nOK\r\n']);
  const urcs: Urc[] = [];
  engine.onUrc('+CEREG', (urc) => urcs.push(urc));
  t.deepEqual((await clock.run(engine.command('AT+CEREG?'))).lines, ['1,5']);
  t.is(urcs.length, 0);
});

test('NSORF replies are accepted with and without the +NSORF: prefix', async (t) => {
  const body = '0,203.0.113.10,5684,4,A1020064,0';
  const replies = [`\r\n+NSORF:${body}\r\n\r\nOK\r\n`, `\r\n${body}\r\n\r\nOK\r\n`];
  const { clock, engine } = scriptedEngine((_c, i) => [replies[i]]);
  t.deepEqual((await clock.run(engine.command('AT+NSORF=0,512'))).lines, [body]);
  t.deepEqual((await clock.run(engine.command('AT+NSORF=0,512'))).lines, [body]);
});

test('URCs with no command pending are routed; stray finals are counted and dropped', async (t) => {
  const { clock, engine, modem } = scriptedEngine(() => ['\r\nOK\r\n']);
  const urcs: string[] = [];
  engine.urcs.onAny = (urc) => urcs.push(urc.name);
  modem.send('\r\n+NNMI:2,AABB\r\n\r\nOK\r\n+NPSMR:1\r\nhello\r\n');
  await clock.advance(1);
  t.deepEqual(urcs, ['+NNMI', '+NPSMR']);
  t.is(engine.stats.strays, 2);
  await clock.run(engine.command('AT'));
});

test('commands are serialised: the second is written only after the first settles', async (t) => {
  const { clock, engine, modem } = scriptedEngine((command) => [{ delayMs: 100, data: `\r\n+${command.slice(3)}:x\r\n\r\nOK\r\n` }]);
  const a = engine.command('AT+AAA');
  const b = engine.command('AT+BBB');
  await clock.advance(50);
  t.deepEqual(modem.commands, ['AT+AAA']);
  t.deepEqual((await clock.run(a)).lines, ['x']);
  t.deepEqual((await clock.run(b)).lines, ['x']);
  t.deepEqual(modem.commands, ['AT+AAA', 'AT+BBB']);
});

test('a late OK after a timeout does not answer the next command', async (t) => {
  const { clock, engine } = scriptedEngine((command) =>
    command === 'AT+SLOW' ? [{ delayMs: 1100, data: '\r\nOK\r\n' }] : [{ delayMs: 10, data: '\r\n+FAST:1\r\n\r\nOK\r\n' }],
  );
  const slow = engine.command('AT+SLOW', { timeoutMs: 1000 });
  const fast = engine.command('AT+FAST');
  await t.throwsAsync(clock.run(slow), { code: 'NBIOT_TIMEOUT' });
  t.deepEqual((await clock.run(fast)).lines, ['1'], 'the late OK was held off by the recovery pause');
  t.is(engine.stats.strays, 1);
});

test('a reboot URC fails the pending command and its banner OK answers nothing', async (t) => {
  const { clock, engine, modem } = scriptedEngine((command) =>
    command === 'AT+NSOST=0' ? ['\r\nREBOOT_CAUSE_APPLICATION_WATCHDOG\r\nNeul \r\nOK\r\n'] : ['\r\nOK\r\n'],
  );
  const reboots: string[] = [];
  engine.onUrc('REBOOT', (urc) => reboots.push(urc.args[0]));
  const first = engine.command('AT+NSOST=0');
  const next = engine.command('AT');
  await t.throwsAsync(clock.run(first), { code: 'NBIOT_REBOOTED' });
  await clock.run(next);
  t.deepEqual(reboots, ['REBOOT_CAUSE_APPLICATION_WATCHDOG']);
  t.true(clock.now() >= 1000, 'the queue waited for the banner');
  t.deepEqual(modem.commands, ['AT+NSOST=0', 'AT']);
});

test('noise, partial lines and overlong lines are dropped with bounded memory', async (t) => {
  const { clock, engine, modem } = scriptedEngine(() => [
    Uint8Array.of(0xff, 0x00, 0x41, 0x81, 0x42, 0x0d, 0x0a), // binary with text inside: noise
    'AAAA'.repeat(200),
    '\r\n',
    Uint8Array.of(0x00, 0x4f, 0x4b, 0xff, 0x0d, 0x0a), // "\0OK\xff": trimmed to OK
  ], { maxLineLength: 256 });
  const reply = await clock.run(engine.command('AT'));
  t.deepEqual(reply.lines, []);
  t.is(engine.framer.stats.overflows, 1);
  t.is(engine.framer.stats.noiseLines, 1);
  modem.send('x'.repeat(10_000));
  await clock.advance(1);
  t.true(engine.framer.buffered <= 256);
});

test('a line with control bytes inside is noise, not a reply', async (t) => {
  const { clock, engine } = scriptedEngine(() => [Uint8Array.of(0x31, 0x01, 0x32, 0x0d, 0x0a), '\r\n7\r\nOK\r\n']);
  t.deepEqual((await clock.run(engine.command('AT+NSOCR=DGRAM,17,0,1'))).lines, ['7']);
});

test('intermediate lines are capped at maxLines', async (t) => {
  const { clock, engine } = scriptedEngine(() => ['\r\nline\r\n'.repeat(10), '\r\nOK\r\n'], { maxLines: 4 });
  t.is((await clock.run(engine.command('AT+NUESTATS'))).lines.length, 4);
  t.is(engine.stats.droppedLines, 6);
});

test('a throwing URC handler does not break framing', async (t) => {
  const { clock, engine, modem } = scriptedEngine(() => ['\r\nOK\r\n']);
  engine.onUrc('+NNMI', () => {
    throw new Error('bug in a subscriber');
  });
  modem.send('\r\n+NNMI:1,00\r\n');
  await clock.run(engine.command('AT'));
  t.is(engine.urcs.handlerErrors, 1);
});

test('a failed link fails pending and later commands with NBIOT_LINK; close() with NBIOT_CLOSED', async (t) => {
  const { clock, engine, driverSide } = scriptedEngine(() => undefined);
  const pending = engine.command('AT');
  driverSide.onError?.(new Error('adapter unplugged'));
  await t.throwsAsync(clock.run(pending), { code: 'NBIOT_LINK' });
  await t.throwsAsync(engine.command('AT'), { code: 'NBIOT_LINK' });
  const other = scriptedEngine(() => undefined);
  const queued = [other.engine.command('AT'), other.engine.command('AT+CSQ')];
  other.engine.close();
  for (const p of queued) await t.throwsAsync(p, { code: 'NBIOT_CLOSED' });
  await t.throwsAsync(other.engine.command('AT+X\r\nAT+Y'), { code: 'NBIOT_CLOSED' });
  const fresh = scriptedEngine(() => undefined);
  await t.throwsAsync(fresh.engine.command('AT+X\r\nAT+Y'), { code: 'NBIOT_BAD_ARGUMENT' });
});

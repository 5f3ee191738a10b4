/**
 * The gateway's log records: JSON lines with level (a name), time (ISO 8601)
 * and event; --log-level drops what is below it; pretty text for a terminal;
 * a failed poll's record carries each reason as a field.
 */
import test from 'ava';
import type { GatewayEvent } from '../../../drivers/gateway/gateway.js';
import { logGatewayEvent } from './gateway-log.js';
import { createHostLog, isLogLevel, type LogLevel } from './host-log.js';

async function capture(level: LogLevel, pretty = false) {
  const lines: string[] = [];
  const log = await createHostLog({ level, pretty, write: (line) => lines.push(line), base: { gateway: 'gw-1' } });
  return { log, lines };
}

const timeout = Object.assign(new Error('no response within 500 ms (at rs485-1 unit 3 FC03 address 0 count 7) Fix: check the unit id'), { code: 'MODBUS_TIMEOUT', where: 'rs485-1 unit 3 FC03 address 0 count 7' });
const exception = Object.assign(new Error('device answered exception 2 (ILLEGAL_DATA_ADDRESS)'), { code: 'MODBUS_EXCEPTION', exceptionCode: 2, exceptionName: 'ILLEGAL_DATA_ADDRESS', where: 'rs485-1 unit 4 FC03 address 9 count 1' });
const failedPoll: GatewayEvent = {
  kind: 'poll',
  poll: { bus: 'rs485-1', device: 'level-1', t: 0, durationMs: 1000, readings: { level: { ok: false, error: timeout }, temp: { ok: false, error: exception }, ok: { ok: true, value: 2 } } },
};
const goodPoll: GatewayEvent = { kind: 'poll', poll: { bus: 'rs485-1', device: 'level-1', t: 0, durationMs: 30, readings: { level: { ok: true, value: 12, unit: 'cm' } } } };

test('JSON lines with level, time and event; the message and the fields', async (t) => {
  const { log, lines } = await capture('info');
  log.info('start', 'gateway gw-1: site demo', { buses: 1 });
  const record = JSON.parse(lines[0]) as Record<string, unknown>;
  t.is(record.level, 'info');
  t.regex(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.is(record.event, 'start');
  t.is(record.msg, 'gateway gw-1: site demo');
  t.is(record.gateway, 'gw-1');
  t.is(record.buses, 1);
});

test('a failed poll is a warn record naming every reason, the exception with its Modbus name; a good poll logs nothing', async (t) => {
  const { log, lines } = await capture('info');
  logGatewayEvent(log, goodPoll);
  t.is(lines.length, 0);
  logGatewayEvent(log, failedPoll);
  const record = JSON.parse(lines[0]) as { level: string; event: string; msg: string; device: string; failed: number; points: number; reasons: Array<{ reason: string; code: string; exception?: { code: number; name: string }; points: string[] }> };
  t.is(record.level, 'warn');
  t.is(record.event, 'poll-failed');
  t.is(record.msg, 'poll level-1: 2/3 points failed: timeout at rs485-1 unit 3 FC03 address 0 count 7 (level); exception 2 ILLEGAL_DATA_ADDRESS at rs485-1 unit 4 FC03 address 9 count 1 (temp)');
  t.deepEqual(record.reasons.map((r) => [r.reason, r.code, r.points.join()]), [['timeout', 'MODBUS_TIMEOUT', 'level'], ['exception', 'MODBUS_EXCEPTION', 'temp']]);
  t.deepEqual(record.reasons[1].exception, { code: 2, name: 'ILLEGAL_DATA_ADDRESS' });
});

test('--log-level: records below the level are not written', async (t) => {
  const { log, lines } = await capture('error');
  logGatewayEvent(log, failedPoll);
  log.info('start', 'not shown');
  log.warn('bus', 'not shown either');
  log.error('error', 'shown');
  t.deepEqual(lines.map((line) => (JSON.parse(line) as { msg: string }).msg), ['shown']);
  const silent = await capture('silent');
  silent.log.error('error', 'nothing');
  t.is(silent.lines.length, 0);
  t.true(isLogLevel('debug'));
  t.false(isLogLevel('verbose'));
});

test('pretty: one readable line with time, level, event and message, no JSON', async (t) => {
  const { log, lines } = await capture('info', true);
  logGatewayEvent(log, failedPoll);
  const plain = lines[0].replace(/\u001b\[\d+m/g, '');
  t.regex(plain, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: poll-failed: poll level-1: 2\/3 points failed: timeout at /);
  t.false(plain.includes('{'));
});

/** The shared flag helpers, in process: ranges, lists, enums and the errors they give. */
import test from 'ava';
import { formatFlags, parseChoice, parseCommandLine, parseInteger, parseUnitRanges, UsageError } from './args.js';

test('unit ranges expand, sort and deduplicate', (t) => {
  t.deepEqual(parseUnitRanges('1-5,10,20-22', '--units', { min: 1, max: 247 }, 'modbus scan'), [1, 2, 3, 4, 5, 10, 20, 21, 22]);
  t.deepEqual(parseUnitRanges(' 3 , 1-2 ,2', '--units', { min: 1, max: 247 }, 'modbus scan'), [1, 2, 3]);
  t.throws(() => parseUnitRanges('0-3', '--units', { min: 1, max: 247 }, 'modbus scan'), { instanceOf: UsageError, message: /outside 1–247/ });
  t.throws(() => parseUnitRanges('1-x', '--units', { min: 1, max: 247 }, 'modbus scan'), { message: /"1-x" is not a unit or a range/ });
  t.throws(() => parseUnitRanges(',', '--units', { min: 1, max: 247 }, 'modbus scan'), { message: /at least one unit/ });
});

test('integers accept decimal and 0x hex within their range', (t) => {
  t.is(parseInteger('0x0156', '--address', { min: 0, max: 65535 }, 'modbus read'), 342);
  t.is(parseInteger('42', '--address', {}, 'modbus read'), 42);
  t.throws(() => parseInteger('4.5', '--count', { min: 1, max: 125 }, 'modbus read'), { message: '--count must be an integer 1–125, not "4.5"' });
  t.throws(() => parseInteger('126', '--count', { min: 1, max: 125 }, 'modbus read'), { message: '--count 126 is out of range: allowed 1–125' });
});

test('choices are case-insensitive and list the allowed values', (t) => {
  t.is(parseChoice('EVEN', '--parity', ['none', 'even', 'odd'], 'x'), 'even');
  t.throws(() => parseChoice('space', '--parity', ['none', 'even', 'odd'], 'x'), { message: '--parity "space" is not allowed: use one of none, even, odd' });
});

test('parseCommandLine: typed readers, unknown flags with a suggestion, positionals only when allowed', (t) => {
  const specs = { count: { type: 'string' as const, value: '<c>', description: 'how many', required: true }, json: { type: 'boolean' as const, description: 'json' } };
  const { flags } = parseCommandLine(['--count', '7', '--json'], specs, 'modbus read');
  t.is(flags.requiredInt('count', { min: 1, max: 125 }), 7);
  t.true(flags.bool('json'));
  t.throws(() => parseCommandLine(['--cuont', '7'], specs, 'modbus read'), { instanceOf: UsageError, message: /unknown flag --cuont \(did you mean --count\?\)/ });
  t.throws(() => parseCommandLine(['stray'], specs, 'modbus read'), { message: /unexpected argument "stray"/ });
  t.throws(() => parseCommandLine([], specs, 'modbus read').flags.requiredInt('count'), { message: /missing required flag --count <c>/ });
  t.deepEqual(parseCommandLine(['68', '61'], specs, 'decode dlt645', true).positionals, ['68', '61']);
  t.true(parseCommandLine(['--help'], specs, 'modbus read').help);
});

test('formatFlags shows placeholders, required and defaults', (t) => {
  const text = formatFlags({ baud: { type: 'string', value: '<n>', description: 'baud rate', default: '9600' }, port: { type: 'string', value: '<p>', description: 'port', required: true } });
  t.regex(text, /--baud <n>\s+baud rate \(default 9600\)/);
  t.regex(text, /--port <p>\s+port \(required\)/);
  t.regex(text, /--help\s+show this help/);
});

test('a negative number after a flag is its value, judged by the flag\'s reader, not "needs a value"', (t) => {
  const specs = { 'last-fcnt': { type: 'string' as const, value: '<n>', description: 'last frame counter' }, offset: { type: 'string' as const, value: '<n>', description: 'an offset' } };
  const { flags } = parseCommandLine(['--last-fcnt', '-5', '--offset', '-12'], specs, 'lorawan decode');
  const error = t.throws(() => flags.int('last-fcnt', { min: 0, max: 0xffffffff }), { instanceOf: UsageError });
  t.is(error?.message, '--last-fcnt -5 is out of range: allowed 0–4294967295');
  t.is(flags.int('offset', { min: -100, max: 100 }), -12);
  // A word that is not a number still means the value is missing.
  t.throws(() => parseCommandLine(['--last-fcnt', '--offset', '3'], specs, 'lorawan decode'), { instanceOf: UsageError, message: /--last-fcnt needs a value/ });
});

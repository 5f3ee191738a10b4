import { test } from '../../test/kit/core-test.js';
import { FaultInjector, parseFaults, FAULT_KINDS, DEFAULT_SLOW_MS } from './faults.js';
import { withCrc, hasValidCrc } from '../../drivers/modbus/crc16.js';
import { bytesEqual } from '../../drivers/bytes.js';

// FC03 reply from unit 1: two registers 0x0102, 0x0304.
const REPLY = withCrc(Uint8Array.of(1, 3, 4, 1, 2, 3, 4));
// Same reply as Modbus TCP: transaction 0x0a0b, protocol 0, length 7.
const TCP_REPLY = Uint8Array.of(0x0a, 0x0b, 0, 0, 0, 7, 1, 3, 4, 1, 2, 3, 4);

test('parseFaults reads kind[:probability] with 0.2 as default', (t) => {
  t.deepEqual(parseFaults('crc,slow:0.5'), [
    { kind: 'crc', probability: 0.2 },
    { kind: 'slow', probability: 0.5 },
  ]);
  t.deepEqual(parseFaults(''), []);
  t.deepEqual(parseFaults(' wrong-unit : 0.1 '), [{ kind: 'wrong-unit', probability: 0.1 }]);
  t.throws(() => parseFaults('crc,noise'), { code: 'SIM_FAULT_CONFIG', message: /unknown fault kind "noise".*crc, exception, silence/ });
  t.throws(() => parseFaults('slow:2'), { code: 'SIM_FAULT_CONFIG' });
  t.throws(() => parseFaults('slow:abc'), { code: 'SIM_FAULT_CONFIG' });
  t.throws(() => parseFaults('slow:0.6,crc:0.6'), { code: 'SIM_FAULT_CONFIG', message: /add up/ });
});

test('no faults configured: replies pass untouched', (t) => {
  const f = new FaultInjector({ seed: 1 });
  for (let i = 0; i < 20; i++) {
    const out = f.applyRtu(REPLY);
    t.true(out.bytes !== undefined && bytesEqual(out.bytes, REPLY));
    t.is(out.delayMs, 0);
    t.is(out.fault, undefined);
  }
});

test('crc: same length, last CRC byte flipped, CRC now invalid', (t) => {
  const f = new FaultInjector({ seed: 2 });
  f.injectNext('crc');
  const out = f.applyRtu(REPLY);
  const bytes = out.bytes as Uint8Array;
  t.is(bytes.length, REPLY.length);
  t.true(bytesEqual(bytes.slice(0, -1), REPLY.slice(0, -1)), 'only the last byte changes');
  t.not(bytes[bytes.length - 1], REPLY[REPLY.length - 1]);
  t.false(hasValidCrc(bytes));
  t.is(out.fault, 'crc');
});

test('exception: a valid exception reply with code 4', (t) => {
  const f = new FaultInjector();
  f.injectNext('exception');
  const bytes = f.applyRtu(REPLY).bytes as Uint8Array;
  t.true(bytesEqual(bytes, withCrc(Uint8Array.of(1, 0x83, 4))));
  t.true(hasValidCrc(bytes));
});

test('silence: nothing is sent', (t) => {
  const f = new FaultInjector();
  f.injectNext('silence');
  const out = f.applyRtu(REPLY);
  t.is(out.bytes, undefined);
  t.is(out.fault, 'silence');
});

test('slow: the normal reply, delayed past the master timeout', (t) => {
  const f = new FaultInjector();
  f.injectNext('slow');
  const out = f.applyRtu(REPLY);
  t.true(bytesEqual(out.bytes as Uint8Array, REPLY));
  t.is(out.delayMs, DEFAULT_SLOW_MS);
  t.is(DEFAULT_SLOW_MS, 1200);
  const g = new FaultInjector({ slowMs: 3000 });
  g.injectNext('slow');
  t.is(g.applyRtu(REPLY).delayMs, 3000);
});

test('garbage: 6-12 random bytes whose first byte is not the unit id', (t) => {
  const f = new FaultInjector({ seed: 3 });
  const lengths = new Set<number>();
  for (let i = 0; i < 200; i++) {
    f.injectNext('garbage');
    const bytes = f.applyRtu(REPLY).bytes as Uint8Array;
    t.true(bytes.length >= 6 && bytes.length <= 12, `length ${bytes.length}`);
    t.not(bytes[0], 1);
    lengths.add(bytes.length);
  }
  t.true(lengths.size >= 5, 'lengths vary');
});

test('truncate: the reply minus its last 1-3 bytes', (t) => {
  const f = new FaultInjector({ seed: 4 });
  const cuts = new Set<number>();
  for (let i = 0; i < 100; i++) {
    f.injectNext('truncate');
    const bytes = f.applyRtu(REPLY).bytes as Uint8Array;
    const cut = REPLY.length - bytes.length;
    t.true(cut >= 1 && cut <= 3);
    t.true(bytesEqual(bytes, REPLY.slice(0, bytes.length)), 'a prefix of the reply');
    cuts.add(cut);
  }
  t.is(cuts.size, 3);
});

test('wrong-unit: unit id + 1 with a valid CRC', (t) => {
  const f = new FaultInjector();
  f.injectNext('wrong-unit');
  const bytes = f.applyRtu(REPLY).bytes as Uint8Array;
  t.true(bytesEqual(bytes, withCrc(Uint8Array.of(2, 3, 4, 1, 2, 3, 4))));
});

test('injectNext applies to exactly the next reply, in order', (t) => {
  const f = new FaultInjector();
  f.injectNext('silence');
  f.injectNext('wrong-unit');
  t.is(f.applyRtu(REPLY).fault, 'silence');
  t.is(f.applyRtu(REPLY).fault, 'wrong-unit');
  const after = f.applyRtu(REPLY);
  t.is(after.fault, undefined);
  t.true(bytesEqual(after.bytes as Uint8Array, REPLY));
  t.is(f.counts.silence, 1);
  t.is(f.counts['wrong-unit'], 1);
});

test('configured odds: seeded, reproducible, roughly the given rate', (t) => {
  const run = (seed: number) => {
    const f = new FaultInjector({ faults: parseFaults('crc:0.25,silence:0.25'), seed });
    return Array.from({ length: 400 }, () => f.applyRtu(REPLY).fault ?? 'none');
  };
  const a = run(11);
  t.deepEqual(run(11), a);
  const crc = a.filter((k) => k === 'crc').length;
  const silence = a.filter((k) => k === 'silence').length;
  t.true(crc > 60 && crc < 140, `crc ${crc}/400`);
  t.true(silence > 60 && silence < 140, `silence ${silence}/400`);
  t.true(a.some((k) => k === 'none'));
});

test('TCP: every kind but crc applies to MBAP frames', (t) => {
  const f = new FaultInjector({ seed: 5 });
  f.injectNext('crc');
  const crc = f.applyTcp(TCP_REPLY);
  t.true(bytesEqual(crc.bytes as Uint8Array, TCP_REPLY), 'crc does not exist on TCP: passes unchanged');
  t.is(crc.fault, undefined);
  t.is(f.counts.crc, 0);

  f.injectNext('exception');
  t.deepEqual(Array.from(f.applyTcp(TCP_REPLY).bytes as Uint8Array), [0x0a, 0x0b, 0, 0, 0, 3, 1, 0x83, 4]);
  f.injectNext('wrong-unit');
  t.deepEqual(Array.from(f.applyTcp(TCP_REPLY).bytes as Uint8Array), [0x0a, 0x0b, 0, 0, 0, 7, 2, 3, 4, 1, 2, 3, 4]);
  f.injectNext('silence');
  t.is(f.applyTcp(TCP_REPLY).bytes, undefined);
  f.injectNext('slow');
  t.is(f.applyTcp(TCP_REPLY).delayMs, 1200);
  for (let i = 0; i < 50; i++) {
    f.injectNext('garbage');
    const g = f.applyTcp(TCP_REPLY).bytes as Uint8Array;
    t.true(g.length >= 6 && g.length <= 12);
    t.false(g[2] === 0 && g[3] === 0, 'protocol id non-zero: never a valid MBAP header');
    f.injectNext('truncate');
    const cut = f.applyTcp(TCP_REPLY).bytes as Uint8Array;
    t.true(cut.length >= TCP_REPLY.length - 3 && cut.length < TCP_REPLY.length);
  }
  t.is(FAULT_KINDS.length, 7);
});

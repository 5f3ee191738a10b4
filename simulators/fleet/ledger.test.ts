/** The fleet's reading ledger: counts per step and channel, repeats, and bounded entries. */
import test from 'ava';
import { ReadingLedger } from './ledger.js';

test('a reading is counted once when decoded; a second decode, an unknown one or another channel is a repeat', (t) => {
  const ledger = new ReadingLedger(4, 10_000);
  ledger.add(1_000_003, 2);
  ledger.add(1_000_007, 2); // the same 10 s step: two readings in flight (a channel polled faster than the step)
  ledger.add(1_000_007, 3);
  t.true(ledger.take(1_000_000, 2), 'a decoded stamp anywhere in the step finds it');
  t.true(ledger.take(1_009_999, 2));
  t.false(ledger.take(1_000_000, 2), 'both readings of channel 2 are already decoded');
  t.false(ledger.take(1_010_000, 3), 'the next step has nothing in flight');
  t.false(ledger.take(1_000_000, 9), 'a channel outside the table');
  t.true(ledger.take(1_000_000, 3));
  t.is(ledger.decoded, 3);
  t.is(ledger.repeated, 3);
  t.throws(() => ledger.add(0, 4), { message: /channel 4 is not in the device's table of 4/ });
});

test('a day of readings decoded as they go keeps nothing; what stays in flight is what was not decoded', (t) => {
  const ledger = new ReadingLedger(8, 10_000);
  for (let s = 0; s < 8640; s++) {
    for (let ch = 0; ch < 8; ch++) ledger.add(s * 10_000 + 1234, ch);
    if (s % 100 !== 0) for (let ch = 0; ch < 8; ch++) t.true(ledger.take(s * 10_000, ch));
  }
  t.is(ledger.decoded, (8640 - 87) * 8);
  // The 87 undecoded steps are still in flight: decoding them now finds every one.
  for (let s = 0; s < 8640; s += 100) for (let ch = 0; ch < 8; ch++) t.true(ledger.take(s * 10_000 + 9_999, ch));
  t.is(ledger.repeated, 0);
});

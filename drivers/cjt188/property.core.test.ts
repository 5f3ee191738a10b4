/** Property and fuzz tests for CJ/T 188 (fast-check, on Node and in XS). */
import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { concatBytes } from '../bytes.js';
import { AxonError } from '../errors.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { FrameAccumulator } from '../dlt645/framing.js';
import { Cjt188Client } from './client.js';
import { describeCjt188Frame } from './describe.js';
import { CJT188_SHAPE, decodeCjt188Frame, encodeCjt188DataId, encodeCjt188Frame, inspectCjt188Frame } from './frame.js';
import { decodeCjt188Record, encodeCjt188Record, recordFieldNames } from './record.js';


function onlyAxonErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof AxonError)) throw error;
  }
}

test('property: 901F replies round-trip for random addresses, types, DI orders, values and times', async (t) => {
  const address = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }).map((d) => d.join(''));
  const meterType = fc.constantFrom(0x10, 0x11, 0x12, 0x13, 0x20, 0x30);
  const hundredths = fc.integer({ min: 0, max: 99_999_999 }).map((n) => n / 100);
  const time = fc.record({
    year: fc.integer({ min: 2000, max: 2099 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }), second: fc.integer({ min: 0, max: 59 }),
  });
  fc.assert(
    fc.property(address, meterType, fc.constantFrom('as-written' as const, 'swapped' as const), hundredths, hundredths, time, fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.integer({ min: 0, max: 4 }),
      (addr, type, order, flow, settled, clockTime, valve, battery, preambleBytes) => {
        const values: Record<string, number> = { cumulative_flow: flow, settlement_flow: settled, current_heat: settled, valve, battery_low: battery ? 1 : 0 };
        const record = encodeCjt188Record(type, { value: (f) => values[f], time: clockTime });
        const bytes = encodeCjt188Frame({ meterType: type, address: addr, control: 0x81, data: concatBytes(encodeCjt188DataId('901F', order), Uint8Array.of(9), record) }, { preambleBytes });
        const frame = decodeCjt188Frame(bytes);
        const described = describeCjt188Frame(bytes);
        const decoded = decodeCjt188Record(type, frame.data.subarray(3));
        const p = (n: number, w = 2) => String(n).padStart(w, '0');
        const expectedTime = `${clockTime.year}-${p(clockTime.month)}-${p(clockTime.day)}T${p(clockTime.hour)}:${p(clockTime.minute)}:${p(clockTime.second)}`;
        return (
          frame.address === addr && frame.meterType === type &&
          described.di === '901F' && described.diOrder === order && described.ser === 9 &&
          decoded.values.cumulative_flow.value === flow &&
          (type === 0x20 ? decoded.values.current_heat.value === settled : decoded.values.settlement_flow.value === settled) &&
          decoded.time === expectedTime && described.time === expectedTime &&
          decoded.status.valve === ['open', 'closed', 'reserved', 'abnormal'][valve] && decoded.status.batteryLow === battery &&
          recordFieldNames(type).includes('cumulative_flow')
        );
      }),
    { numRuns: 150 },
  );
  t.pass();
});

test('fuzz: CJ/T 188 parsers and framer given random or mutated bytes throw only AxonErrors and terminate', async (t) => {
  const record = encodeCjt188Record(0x10, { value: () => 1, time: { year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5 } });
  const valid = encodeCjt188Frame({ meterType: 0x10, address: '12', control: 0x81, data: concatBytes(Uint8Array.of(0x90, 0x1f, 0), record) }, { preambleBytes: 2 });
  const mutated = fc
    .tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(valid.length))
    .map(([edits, cut]) => {
      const bytes = valid.slice(0, Math.max(1, cut === 0 ? valid.length : cut));
      for (const [index, byte] of edits) if (index < bytes.length) bytes[index] = byte;
      return bytes;
    });
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), { minLength: 1, maxLength: 5 }), (chunks) => {
      const framer = new FrameAccumulator(CJT188_SHAPE);
      for (const bytes of chunks) {
        onlyAxonErrors(() => decodeCjt188Frame(bytes));
        onlyAxonErrors(() => inspectCjt188Frame(bytes));
        onlyAxonErrors(() => describeCjt188Frame(bytes));
        onlyAxonErrors(() => decodeCjt188Record(0x20, bytes));
        framer.push(bytes);
        let budget = framer.buffered + 1;
        for (let event = framer.next(); event !== undefined; event = framer.next()) {
          if (--budget < 0) return false;
          if (event.kind === 'frame') decodeCjt188Frame(event.bytes);
        }
      }
      framer.finish();
      return framer.buffered === 0;
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('fuzz: a CJ/T 188 client answered with noise rejects with its own errors, never hangs', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }), async (chunks) => {
      const clock = new VirtualClock();
      const [master, meter] = createStreamPair({ clock });
      meter.onReadable = () => {
        for (const chunk of chunks) meter.write(chunk);
      };
      const client = new Cjt188Client({ stream: master, clock, timeoutMs: 100, retries: 1 });
      try {
        await clock.run(client.readData('12'), 10_000);
        return false; // noise cannot be a valid 901F reply for this meter
      } catch (error) {
        return error instanceof AxonError;
      }
    }),
    { numRuns: 60 },
  );
  t.pass();
});

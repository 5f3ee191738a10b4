/** Property and fuzz tests (fast-check), run on Node and inside XS. */
import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { concatBytes } from '../bytes.js';
import { AxonError } from '../errors.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { decodeBcd, encodeBcd, maxBcdValue } from './bcd.js';
import { Dlt645Client } from './client.js';
import { DLT645_DATA_IDS } from './data-ids.js';
import { describeDlt645Frame } from './describe.js';
import { DLT645_SHAPE, decodeDataId, decodeDlt645Frame, encodeDataId, encodeDlt645Frame, inspectDlt645Frame } from './frame.js';
import { FrameAccumulator } from './framing.js';


const RUNS = 150;

/** Throws anything that is not one of our own errors, so the property fails on it. */
function onlyAxonErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof AxonError)) throw error;
  }
}

test('property: BCD encode → decode returns the value for every format', async (t) => {
  const formatAndValue = fc
    .record({ bytes: fc.integer({ min: 1, max: 6 }), decimals: fc.integer({ min: 0, max: 4 }), signed: fc.boolean() })
    .chain((format) => {
      const maxInt = Math.round(maxBcdValue(format) * 10 ** format.decimals);
      return fc.tuple(fc.constant(format), fc.integer({ min: format.signed ? -maxInt : 0, max: maxInt }));
    });
  fc.assert(
    fc.property(formatAndValue, ([format, raw]) => {
      const value = raw / 10 ** format.decimals;
      const bytes = encodeBcd(value, format);
      return bytes.length === format.bytes && Object.is(decodeBcd(bytes, 0, format), value === 0 ? 0 : value);
    }),
    { numRuns: RUNS * 2 },
  );
  t.pass();
});

test('property: reply frames round-trip for random addresses, table DIs, values and preambles', async (t) => {
  const digits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 }).map((d) => d.join(''));
  const entryAndValue = fc.constantFrom(...DLT645_DATA_IDS).chain((entry) => {
    const maxInt = Math.round(maxBcdValue(entry) * 10 ** entry.decimals);
    return fc.tuple(fc.constant(entry), fc.integer({ min: entry.signed ? -maxInt : 0, max: maxInt }).map((n) => n / 10 ** entry.decimals));
  });
  fc.assert(
    fc.property(digits, entryAndValue, fc.integer({ min: 0, max: 4 }), (address, [entry, value], preambleBytes) => {
      const control = entry.version === '2007' ? 0x91 : 0x81;
      const data = concatBytes(encodeDataId(entry.di), encodeBcd(value, entry));
      const bytes = encodeDlt645Frame({ address, control, data }, { preambleBytes });
      const frame = decodeDlt645Frame(bytes);
      const described = describeDlt645Frame(bytes);
      const diLength = entry.version === '2007' ? 4 : 2;
      return (
        frame.address === address &&
        frame.control === control &&
        decodeDataId(frame.data, 0, diLength) === entry.di &&
        described.di === entry.di &&
        described.version === entry.version &&
        Object.is(described.value, value === 0 ? 0 : value) &&
        described.checksumOk &&
        described.preambleBytes === preambleBytes
      );
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('fuzz: parsers given random or mutated bytes throw only AxonErrors', async (t) => {
  const valid = encodeDlt645Frame({ address: '218231000114', control: 0x91, data: Uint8Array.of(0, 0, 1, 0, 6, 0, 0, 0) }, { preambleBytes: 2 });
  const mutated = fc
    .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
    .chain((edits) => fc.tuple(fc.constant(edits), fc.nat(valid.length)))
    .map(([edits, cut]) => {
      const bytes = valid.slice(0, Math.max(1, cut === 0 ? valid.length : cut));
      for (const [index, byte] of edits) if (index < bytes.length) bytes[index] = byte;
      return bytes;
    });
  const input = fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated);
  fc.assert(
    fc.property(input, (bytes) => {
      onlyAxonErrors(() => decodeDlt645Frame(bytes));
      onlyAxonErrors(() => inspectDlt645Frame(bytes));
      onlyAxonErrors(() => describeDlt645Frame(bytes));
      onlyAxonErrors(() => describeDlt645Frame(bytes, { version: '1997' }));
    }),
    { numRuns: RUNS * 2 },
  );
  t.pass();
});

test('fuzz: the receive framer terminates and only yields frames that decode', async (t) => {
  const valid = encodeDlt645Frame({ address: '000000000161', control: 0x91, data: Uint8Array.of(0, 0, 1, 0, 6, 0, 0, 0) });
  const chunk = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(valid), fc.constant(Uint8Array.of(0x68)));
  fc.assert(
    fc.property(fc.array(chunk, { maxLength: 12 }), (chunks) => {
      const framer = new FrameAccumulator(DLT645_SHAPE);
      let validSeen = 0;
      for (const bytes of chunks) {
        framer.push(bytes);
        // Each next() consumes bytes or returns undefined: it can run at most buffered + 1 times.
        let budget = framer.buffered + 1;
        for (let event = framer.next(); event !== undefined; event = framer.next()) {
          if (--budget < 0) return false;
          if (event.kind === 'frame') {
            decodeDlt645Frame(event.bytes);
            validSeen++;
          }
        }
      }
      const events = framer.finish();
      if (framer.buffered !== 0) return false;
      for (const event of events) if (event.kind === 'frame') decodeDlt645Frame(event.bytes);
      return validSeen >= 0;
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('fuzz: a client answered with noise rejects with its own errors, never hangs', async (t) => {
  const valid = encodeDlt645Frame({ address: '000000000161', control: 0x91, data: Uint8Array.of(0, 0, 1, 0, 6, 0, 0, 0) });
  const answer = fc.array(fc.oneof(fc.uint8Array({ maxLength: 30 }), fc.constant(valid)), { maxLength: 4 });
  await fc.assert(
    fc.asyncProperty(answer, async (chunks) => {
      const clock = new VirtualClock();
      const [master, meter] = createStreamPair({ clock });
      meter.onReadable = () => {
        for (const chunk of chunks) meter.write(chunk);
      };
      const client = new Dlt645Client({ stream: master, clock, timeoutMs: 100, retries: 1 });
      try {
        const reading = await clock.run(client.read('000000000161', '00010000'), 10_000);
        return reading.value === 0.06 && chunks.some((c) => c === valid);
      } catch (error) {
        return error instanceof AxonError;
      }
    }),
    { numRuns: 60 },
  );
  t.pass();
});

import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { asciiBytes } from '../bytes.js';
import { LineFramer } from './line-framer.js';

function framed(chunks: Uint8Array[], maxLineLength?: number): { lines: string[]; framer: LineFramer } {
  const framer = new LineFramer({ maxLineLength });
  const lines: string[] = [];
  framer.onLine = (line) => lines.push(line);
  for (const chunk of chunks) framer.push(chunk);
  return { lines, framer };
}

test('CR, LF and CRLF all end lines; blank lines vanish; surrounding spaces are trimmed', (t) => {
  const { lines } = framed([asciiBytes('\r\nOK\r\n\r\n+CSQ:5,99\rNeul \nlast')]);
  t.deepEqual(lines, ['OK', '+CSQ:5,99', 'Neul']);
});

test('property: however the bytes are chunked, the same lines come out', async (t) => {
  const line = fc.stringMatching(/^[ -~]{0,30}$/);
  await fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), (texts, cuts) => {
      const bytes = asciiBytes(texts.map((x) => `${x}\r\n`).join(''));
      const whole = framed([bytes]).lines;
      const chunks: Uint8Array[] = [];
      for (let offset = 0, i = 0; offset < bytes.length; i++) {
        chunks.push(bytes.slice(offset, offset + cuts[i % cuts.length]));
        offset += cuts[i % cuts.length];
      }
      const pieces = framed(chunks).lines;
      return pieces.join('\n') === whole.join('\n') && whole.join('\n') === texts.map((x) => x.trim()).filter((x) => x.length > 0).join('\n');
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('an overlong line is dropped whole and framing resumes at the next line end', (t) => {
  const { lines, framer } = framed([asciiBytes('x'.repeat(100)), asciiBytes('yyy\r\nOK\r\n')], 50);
  t.deepEqual(lines, ['OK']);
  t.is(framer.stats.overflows, 1);
});

test('property: random bytes never throw and never grow the buffer past the bound', async (t) => {
  await fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), (chunks) => {
      const framer = new LineFramer({ maxLineLength: 64 });
      let ok = true;
      framer.onLine = (line) => {
        if (line.length > 64 || line.length === 0) ok = false;
      };
      for (const chunk of chunks) {
        framer.push(chunk);
        if (framer.buffered > 64) ok = false;
      }
      return ok;
    }),
    { numRuns: 200 },
  );
  t.pass();
});

/** Byte and text helpers, on every engine (asciiText builds its text in slices, not one character at a time). */
import { test } from '../test/kit/core-test.js';
import { asciiBytes, asciiText } from './bytes.js';

test('asciiText and asciiBytes: every byte value, across slice boundaries, round-trips', (t) => {
  const bytes = new Uint8Array(64 * 17 + 5);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  const text = asciiText(bytes);
  t.is(text.length, bytes.length);
  t.is(text.charCodeAt(64 * 3 + 1), bytes[64 * 3 + 1]);
  t.deepEqual([...asciiBytes(text)], [...bytes]);
  t.is(asciiText(new Uint8Array(0)), '');
  t.is(asciiText(asciiBytes('AT+CGATT?\r\n')), 'AT+CGATT?\r\n');
});

import test from 'ava';
import { asciiBytes, asciiText } from './ascii-text.js';

test('asciiText and asciiBytes: every byte value, across slice boundaries, round-trips', (t) => {
  const bytes = Uint8Array.from({ length: 256 * 17 + 5 }, (_, i) => (i * 7) & 0xff);
  const text = asciiText(bytes);
  t.is(text.length, bytes.length);
  t.is(text.charCodeAt(256 * 3 + 1), bytes[256 * 3 + 1]);
  t.deepEqual(asciiBytes(text), bytes);
  t.is(asciiText(new Uint8Array(0)), '');
});

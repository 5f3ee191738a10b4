/**
 * Text for property tests that run on all three engines (Node, xsnap, Moddable).
 *
 * fast-check's `unit: 'grapheme'` builds its decomposed graphemes with
 * String.prototype.normalize('NFD'). Moddable's XS, built without
 * mxStringNormalize as for the ESP32, implements normalize for Latin-1 text
 * only and throws "not built-in" otherwise, so such a test fails there for a
 * reason that is not the code under test. This gives the same kinds of text
 * without normalize: any Unicode scalar value (1 to 4 UTF-8 bytes, never a
 * lone surrogate), and letters followed by combining marks.
 */
import fc from 'fast-check';

/** A base letter and one or two combining diacritical marks (U+0300–U+036F), as NFD text has them. */
const decomposed = fc
  .tuple(fc.constantFrom('a', 'e', 'o', 'A', 'n', 'ы', 'α'), fc.array(fc.integer({ min: 0x300, max: 0x36f }), { minLength: 1, maxLength: 2 }))
  .map(([base, marks]) => base + String.fromCodePoint(...marks));

/** One unit: any code point but a surrogate (fast-check's full alphabet), or a letter with combining marks. */
const unit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), decomposed);

export function unicodeText(options: { maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ unit, maxLength: options.maxLength });
}

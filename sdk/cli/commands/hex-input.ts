/** Frame bytes given on the command line, as one quoted string or as several words. */
import { fromHex } from '../../../drivers/bytes.js';
import { UsageError } from '../args.js';

export function hexFromPositionals(words: readonly string[], command: string): Uint8Array {
  const text = words.join(' ').trim();
  if (text === '') throw new UsageError('give the frame as hex, e.g. "68 61 01 00 00 00 00 68 11 04 33 33 34 33 14 16"', command);
  try {
    return fromHex(text);
  } catch (error) {
    // fromHex names the offending character; say it is the input's fault, not the frame's.
    if (error instanceof RangeError) throw new UsageError(`bad hex input: ${error.message} (spaces, colons and 0x prefixes are fine)`, command);
    throw error;
  }
}

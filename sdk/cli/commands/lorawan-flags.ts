/**
 * Flag readers shared by the `axon lorawan …` commands: keys, EUIs and DevAddr
 * as hex of an exact length, so a key pasted one digit short fails on the
 * command line (exit 2) instead of as a puzzling MIC error.
 */
import { fromHex } from '../../../drivers/bytes.js';
import { UsageError, type Flags } from '../args.js';

/** Hex of exactly `bytes` bytes from --`name`, or undefined when the flag is absent. */
export function hexFlag(flags: Flags, name: string, bytes: number): Uint8Array | undefined {
  const text = flags.string(name);
  return text === undefined ? undefined : parseHexOf(flags, name, text, bytes);
}

export function requiredHexFlag(flags: Flags, name: string, bytes: number): Uint8Array {
  return parseHexOf(flags, name, flags.requiredString(name), bytes);
}

function parseHexOf(flags: Flags, name: string, text: string, bytes: number): Uint8Array {
  let value: Uint8Array;
  try {
    value = fromHex(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`, flags.command);
  }
  if (value.length !== bytes) {
    throw new UsageError(`--${name} must be ${bytes * 2} hex digits (${bytes} bytes), got ${value.length * 2}`, flags.command);
  }
  return value;
}

/** A big-endian hex field (DevAddr, DevNonce) as an unsigned number. */
export function hexNumber(bytes: Uint8Array): number {
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  return value;
}

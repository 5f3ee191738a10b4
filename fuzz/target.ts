/**
 * What the fuzzer knows about one decoder or parser: valid inputs to start
 * from, how to make a mutant valid again where an integrity check would stop
 * it early, and how to feed it one input.
 */
import type { Random } from './random.js';

/** A length (or count) field inside a seed, so mutations can lie about sizes. */
export interface LengthField {
  at: number;
  size: 1 | 2;
  /** Byte order of a 2-byte field (default big-endian). */
  littleEndian?: boolean;
}

export interface Seed {
  bytes: Uint8Array;
  lengths?: readonly LengthField[];
}

export interface FuzzTarget {
  /** Short name, used by --target and in reports. */
  name: string;
  /** The public entry points it drives. */
  description: string;
  seeds: readonly Seed[];
  /** Longest purely random input. */
  maxRandomLength: number;
  /**
   * Longest input a mutation may make (default 64 KiB). The time limit is per
   * input, and any parser needs time in proportion to its input: a 4 MB site
   * file takes half a second just to parse and check, which says nothing
   * about a loop. Real inputs are far below these caps.
   */
  maxInputBytes?: number;
  /**
   * Make a mutant pass the integrity check again (CRC, checksum, MIC), so the
   * mutation reaches the code behind it. Applied to half of the mutants.
   */
  repair?(bytes: Uint8Array): Uint8Array;
  /** A mutation that knows the input's structure (JSON documents). */
  mutate?(bytes: Uint8Array, random: Random): Uint8Array;
  /** Feed one input. Throwing an AxonError is a clean rejection; anything else is a finding. */
  run(input: Uint8Array): void | Promise<void>;
}

export function seed(bytes: Uint8Array, ...lengths: LengthField[]): Seed {
  return lengths.length === 0 ? { bytes } : { bytes, lengths };
}

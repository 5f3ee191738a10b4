/**
 * Input generation: purely random bytes, or a valid seed put through one to
 * four mutations (bit flips, interesting bytes, truncation, extension,
 * insertion, deletion, duplication, splicing with another seed, lying length
 * fields, and the target's own structure-aware mutation), then, for half of
 * the mutants, repaired so they pass the integrity check.
 */
import type { Random } from './random.js';
import type { FuzzTarget, Seed } from './target.js';

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x10, 0x20, 0x40, 0x0d, 0x0a, 0x2c, 0x22, 0x5b, 0x7b, 0x68, 0x16];

const DEFAULT_MAX_INPUT_BYTES = 64 * 1024;

type Mutation = (bytes: Uint8Array, random: Random, seed: Seed, target: FuzzTarget) => Uint8Array;

const flipBit: Mutation = (bytes, random) => {
  if (bytes.length === 0) return bytes;
  const out = bytes.slice();
  const bit = random.below(bytes.length * 8);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
};

const setByte: Mutation = (bytes, random) => {
  if (bytes.length === 0) return bytes;
  const out = bytes.slice();
  out[random.below(out.length)] = random.chance(0.5) ? random.pick(INTERESTING) : random.below(256);
  return out;
};

const truncate: Mutation = (bytes, random) => bytes.slice(0, random.below(bytes.length + 1));

const dropHead: Mutation = (bytes, random) => bytes.slice(random.below(Math.min(bytes.length, 8) + 1));

const extend: Mutation = (bytes, random) => concat(bytes, random.bytes(random.size(64)));

const insert: Mutation = (bytes, random) => {
  const at = random.below(bytes.length + 1);
  const chunk = random.chance(0.5) ? random.bytes(random.between(1, 8)) : new Uint8Array(random.between(1, 8)).fill(random.pick(INTERESTING));
  return concat(bytes.subarray(0, at), chunk, bytes.subarray(at));
};

const remove: Mutation = (bytes, random) => {
  if (bytes.length === 0) return bytes;
  const at = random.below(bytes.length);
  const count = random.between(1, Math.min(8, bytes.length - at));
  return concat(bytes.subarray(0, at), bytes.subarray(at + count));
};

const duplicate: Mutation = (bytes, random) => {
  if (bytes.length === 0) return bytes;
  const at = random.below(bytes.length);
  const chunk = bytes.subarray(at, at + random.between(1, Math.min(32, bytes.length - at)));
  const copies = random.chance(0.1) ? random.between(2, 200) : 1;
  const parts = [bytes.subarray(0, at)];
  for (let i = 0; i <= copies; i++) parts.push(chunk);
  parts.push(bytes.subarray(at + chunk.length));
  return concat(...parts);
};

const splice: Mutation = (bytes, random, _seed, target) => {
  const other = random.pick(target.seeds).bytes;
  return concat(bytes.subarray(0, random.below(bytes.length + 1)), other.subarray(random.below(other.length + 1)));
};

const lieAboutLength: Mutation = (bytes, random, seed, target) => {
  const fields = (seed.lengths ?? []).filter((f) => f.at + f.size <= bytes.length);
  if (fields.length === 0) return setByte(bytes, random, seed, target);
  const field = random.pick(fields);
  const max = field.size === 1 ? 0xff : 0xffff;
  const old = field.size === 1 ? bytes[field.at] : field.littleEndian ? bytes[field.at] | (bytes[field.at + 1] << 8) : (bytes[field.at] << 8) | bytes[field.at + 1];
  const value = random.pick([0, 1, max, old + 1, old - 1, old + random.between(2, 16), bytes.length, random.below(max + 1)]) & max;
  const out = bytes.slice();
  if (field.size === 1) out[field.at] = value;
  else if (field.littleEndian) out.set([value & 0xff, value >> 8], field.at);
  else out.set([value >> 8, value & 0xff], field.at);
  return out;
};

const structured: Mutation = (bytes, random, _seed, target) => target.mutate?.(bytes, random) ?? bytes;

const MUTATIONS: readonly Mutation[] = [flipBit, flipBit, setByte, setByte, truncate, dropHead, extend, insert, remove, duplicate, splice, lieAboutLength, lieAboutLength];

/** One fuzz input for `target`. */
export function generateInput(target: FuzzTarget, random: Random): Uint8Array {
  if (target.seeds.length === 0 || random.chance(0.15)) return random.bytes(random.size(target.maxRandomLength));
  const seed = random.pick(target.seeds);
  // A copy: mutations must never reach the seed (a Node Buffer's slice() would share its memory).
  let bytes: Uint8Array = new Uint8Array(seed.bytes);
  const rounds = random.between(1, 4);
  const limit = target.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  for (let i = 0; i < rounds; i++) {
    const mutation = target.mutate !== undefined && random.chance(0.4) ? structured : random.pick(MUTATIONS);
    const mutant = mutation(bytes, random, seed, target);
    if (mutant.length <= limit) bytes = mutant;
  }
  if (target.repair !== undefined && random.chance(0.5)) bytes = target.repair(bytes);
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

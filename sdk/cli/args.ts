/**
 * Flag parsing shared by every `axon` command, on node:util parseArgs.
 *
 * One declarative table per command drives both the parser and the --help
 * text, so help can never forget a flag. Typed readers turn strings into
 * integers, enums, lists and unit ranges and fail with a UsageError that names
 * the flag and what it accepts: a field engineer on a laptop at a pump station
 * should not need the source to fix a typo.
 */
import { parseArgs } from 'node:util';

/** Bad command line: exit code 2 and a pointer to --help. */
export class UsageError extends Error {
  /** The command the error belongs to, e.g. "modbus read" (for the --help hint). */
  readonly command: string;
  constructor(message: string, command: string) {
    super(message);
    this.command = command;
  }
  override get name(): string {
    return 'UsageError';
  }
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. "<ms>". String flags only. */
  value?: string;
  description: string;
  /** Default as shown in help (the command applies it when reading the flag). */
  default?: string;
  required?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** Flags every command accepts. */
export const COMMON_FLAGS: FlagSpecs = {
  help: { type: 'boolean', description: 'show this help and exit' },
};

export interface ParsedCommandLine {
  flags: Flags;
  positionals: string[];
  help: boolean;
}

/**
 * Parse `argv` (the words after the command name) against `specs`.
 * Unknown flags and flags missing their value are usage errors. Required flags
 * are checked by the typed readers, after --help had its chance.
 */
export function parseCommandLine(argv: readonly string[], specs: FlagSpecs, command: string, allowPositionals = false): ParsedCommandLine {
  const all: FlagSpecs = { ...specs, ...COMMON_FLAGS };
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, spec] of Object.entries(all)) options[name] = { type: spec.type };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, all), options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    throw translateParseError(error, all, command);
  }
  const help = parsed.values.help === true;
  if (!allowPositionals && parsed.positionals.length > 0 && !help) {
    throw new UsageError(`unexpected argument "${parsed.positionals[0]}" (this command takes flags only)`, command);
  }
  return { flags: new Flags(parsed.values, all, command), positionals: parsed.positionals, help };
}

/**
 * `--last-fcnt -5`: parseArgs takes "-5" for a flag and reports the value as
 * missing. A negative number after a flag that takes a value is its value, so
 * it is passed as `--last-fcnt=-5` and the flag's own reader judges it.
 */
function joinNegativeValues(argv: readonly string[], specs: FlagSpecs): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    if (name !== undefined && specs[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/** parseArgs throws terse TypeErrors; say which flag and what to do instead. */
function translateParseError(error: unknown, specs: FlagSpecs, command: string): Error {
  if (!(error instanceof Error)) return new UsageError(String(error), command);
  const code = (error as { code?: string }).code;
  const flag = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    const known = Object.keys(specs).map((n) => `--${n}`).join(', ');
    const near = closest(flag.replace(/^-+/, ''), Object.keys(specs));
    const hint = near === undefined ? '' : ` (did you mean --${near}?)`;
    return new UsageError(`unknown flag ${flag}${hint}; \`axon ${command}\` accepts ${known}`, command);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    const name = flag.replace(/^-+/, '');
    const spec = specs[name];
    if (spec?.type === 'boolean') return new UsageError(`flag --${name} is a switch and takes no value`, command);
    return new UsageError(`flag --${name} needs a value${spec?.value ? ` ${spec.value}` : ''}`, command);
  }
  return new UsageError(error.message, command);
}

/** A known flag within edit distance 2 of a typo, for "did you mean". */
function closest(typo: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of names) {
    const d = editDistance(typo, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

export interface IntOptions {
  min?: number;
  max?: number;
  default?: number;
}

/** Typed, validated access to parsed flag values. */
export class Flags {
  readonly #values: Record<string, string | boolean | undefined>;
  readonly #specs: FlagSpecs;
  readonly command: string;

  constructor(values: Record<string, string | boolean | undefined>, specs: FlagSpecs, command: string) {
    this.#values = values;
    this.#specs = specs;
    this.command = command;
  }

  has(name: string): boolean {
    return this.#values[name] !== undefined;
  }

  bool(name: string): boolean {
    this.#known(name);
    return this.#values[name] === true;
  }

  string(name: string): string | undefined {
    this.#known(name);
    const value = this.#values[name];
    return typeof value === 'string' ? value : undefined;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw this.#missing(name);
    return value;
  }

  /** An integer flag (decimal, or hex with 0x), within [min, max]. */
  int(name: string, options: IntOptions & { default: number }): number;
  int(name: string, options?: IntOptions): number | undefined;
  int(name: string, options: IntOptions = {}): number | undefined {
    const text = this.string(name);
    if (text === undefined) return options.default;
    return parseInteger(text, `--${name}`, options, this.command);
  }

  requiredInt(name: string, options: IntOptions = {}): number {
    const value = this.int(name, options);
    if (value === undefined) throw this.#missing(name);
    return value;
  }

  /** A flag whose value must be one of `allowed`. */
  oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.string(name);
    if (text === undefined) return fallback;
    return parseChoice(text, `--${name}`, allowed, this.command);
  }

  /** Comma-separated list, each item checked by `item`. */
  list<T>(name: string, fallback: readonly T[], item: (text: string, flag: string) => T): T[] {
    const text = this.string(name);
    if (text === undefined) return [...fallback];
    const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
    if (parts.length === 0) throw new UsageError(`--${name} needs at least one value`, this.command);
    return parts.map((p) => item(p, `--${name}`));
  }

  /** Unit ranges such as "1-5,10,20-22", sorted and without duplicates. */
  unitRanges(name: string, fallback: string, options: { min: number; max: number }): number[] {
    return parseUnitRanges(this.string(name) ?? fallback, `--${name}`, options, this.command);
  }

  #known(name: string): void {
    // A typo in a command's own code, not in the user's input.
    if (!(name in this.#specs)) throw new Error(`flag --${name} is not declared for axon ${this.command}`);
  }

  #missing(name: string): UsageError {
    const spec = this.#specs[name];
    return new UsageError(`missing required flag --${name}${spec?.value ? ` ${spec.value}` : ''} (${spec?.description ?? ''})`, this.command);
  }
}

export function parseInteger(text: string, flag: string, options: IntOptions, command: string): number {
  const trimmed = text.trim();
  const value = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : /^0x[0-9a-f]+$/i.test(trimmed) ? parseInt(trimmed.slice(2), 16) : NaN;
  const range = describeRange(options);
  if (!Number.isSafeInteger(value)) throw new UsageError(`${flag} must be an integer${range}, not "${text}"`, command);
  if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
    throw new UsageError(`${flag} ${value} is out of range: allowed${range}`, command);
  }
  return value;
}

function describeRange(options: IntOptions): string {
  if (options.min !== undefined && options.max !== undefined) return ` ${options.min}–${options.max}`;
  if (options.min !== undefined) return ` ≥ ${options.min}`;
  if (options.max !== undefined) return ` ≤ ${options.max}`;
  return '';
}

export function parseChoice<const T extends string>(text: string, flag: string, allowed: readonly T[], command: string): T {
  const lower = text.trim().toLowerCase();
  const match = allowed.find((a) => a.toLowerCase() === lower);
  if (match === undefined) throw new UsageError(`${flag} "${text}" is not allowed: use one of ${allowed.join(', ')}`, command);
  return match;
}

export function parseUnitRanges(text: string, flag: string, options: { min: number; max: number }, command: string): number[] {
  const units = new Set<number>();
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new UsageError(`${flag} needs at least one unit, e.g. 1-5,10,20-22`, command);
  for (const part of parts) {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (match === null) throw new UsageError(`${flag}: "${part}" is not a unit or a range like 20-22 (allowed ${options.min}–${options.max})`, command);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (first > last) throw new UsageError(`${flag}: range "${part}" runs backwards; write ${last}-${first}`, command);
    if (first < options.min || last > options.max) throw new UsageError(`${flag}: "${part}" is outside ${options.min}–${options.max}`, command);
    for (let u = first; u <= last; u++) units.add(u);
  }
  return [...units].sort((a, b) => a - b);
}

/** Render flags for --help: one aligned line each, with its default and whether it is required. */
export function formatFlags(specs: FlagSpecs): string {
  const rows = Object.entries({ ...specs, ...COMMON_FLAGS }).map(([name, spec]) => {
    const left = `--${name}${spec.value ? ` ${spec.value}` : ''}`;
    const notes: string[] = [];
    if (spec.required) notes.push('required');
    if (spec.default !== undefined) notes.push(`default ${spec.default}`);
    return { left, right: spec.description + (notes.length > 0 ? ` (${notes.join(', ')})` : '') };
  });
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return rows.map((r) => `  ${r.left.padEnd(width)}${r.right}`).join('\n');
}

/**
 * Checks a published event body against a fixture written from
 * integration.proto's JSON mapping (fixtures/chirpstack-v4/*.json): the same
 * fields (no more; none missing unless optional in the proto's JSON), the
 * same JSON types, enum values by name, and the formats of UUIDs, EUIs,
 * timestamps, durations and base64 bytes. Returns every problem with its path.
 * Node-only test support.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Fixture {
  message: string;
  optional: string[];
  enums: Record<string, string[]>;
  formats: Record<string, string>;
  maps: Record<string, 'string' | 'struct'>;
  example: Record<string, unknown>;
}

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/chirpstack-v4');

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as Fixture;
}

const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  'uuid-or-empty': /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/,
  eui64: /^[0-9a-f]{16}$/,
  devaddr: /^[0-9a-f]{8}$/,
  // RFC 3339 in UTC as pbjson writes a Timestamp: fractional digits only when there is a fraction.
  timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3}|\.\d{6}|\.\d{9})?Z$/,
  duration: /^-?\d+(?:\.\d+)?s$/,
  base64: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
};

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Problems of `actual` against the fixture `name` (deviceInfo checked against device-info.json). */
export function shapeProblems(name: string, actual: unknown): string[] {
  const problems: string[] = [];
  check(loadFixture(name), actual, '', problems);
  return problems;
}

function check(fixture: Fixture, actual: unknown, prefix: string, problems: string[]): void {
  walk(fixture, fixture.example, actual, '', problems, prefix);
}

function walk(fixture: Fixture, want: unknown, got: unknown, at: string, problems: string[], prefix: string): void {
  const where = `${prefix}${at === '' ? '$' : at}`;
  if (at === 'deviceInfo') {
    check(loadFixture('device-info'), got, 'deviceInfo.', problems);
    return;
  }
  if (jsonType(want) !== jsonType(got)) {
    problems.push(`${where}: ${jsonType(got)}, the proto's JSON has ${jsonType(want)}`);
    return;
  }
  const map = fixture.maps[at];
  if (map !== undefined) {
    if (map === 'string') for (const [k, v] of Object.entries(got as object)) if (typeof v !== 'string') problems.push(`${where}.${k}: map<string, string> value is ${jsonType(v)}`);
    return;
  }
  if (Array.isArray(want)) {
    for (const item of got as unknown[]) walk(fixture, want[0], item, `${at}[]`, problems, prefix);
    return;
  }
  if (typeof want === 'object' && want !== null) {
    const w = want as Record<string, unknown>;
    const g = got as Record<string, unknown>;
    for (const key of Object.keys(g)) if (!(key in w)) problems.push(`${where}.${key}: not a field of ${fixture.message}`);
    for (const key of Object.keys(w)) {
      const child = at === '' ? key : `${at}.${key}`;
      if (!(key in g)) {
        if (!fixture.optional.includes(child)) problems.push(`${prefix}${child}: missing`);
        continue;
      }
      walk(fixture, w[key], g[key], child, problems, prefix);
    }
    return;
  }
  const allowed = fixture.enums[at];
  if (allowed !== undefined && !allowed.includes(got as string)) problems.push(`${where}: ${JSON.stringify(got)} is not one of ${allowed.join(', ')}`);
  const format = fixture.formats[at];
  if (format !== undefined && !FORMATS[format].test(got as string)) problems.push(`${where}: ${JSON.stringify(got)} is not a ${format}`);
  if (typeof want === 'number' && !Number.isFinite(got as number)) problems.push(`${where}: not a finite number`);
}

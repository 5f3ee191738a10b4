/**
 * Site files and device manifests as `axon site validate` and
 * `axon manifest validate` read them: text parsed, validated against the
 * schema and the semantic rules, and (for a valid site) turned into the
 * channel table the gateway runs on. Mutations work on the text and on the
 * parsed document (values of the wrong type, extreme numbers, deleted and
 * renamed keys, repeated array items, deep nesting).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildChannelTable } from '../../drivers/batch/index.js';
import { findExcessNesting } from '../../sdk/manifest/json-nesting.js';
import { parseManifestText, validateDeviceManifest } from '../../sdk/manifest/validate.js';
import { shippedManifests } from '../../sdk/site/demo-site.js';
import { inspectSiteFile, parseSiteText, validateSiteFile } from '../../sdk/site/validate.js';
import type { Random } from '../random.js';
import type { FuzzTarget } from '../target.js';
import { tryEach } from '../typed-error.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ODD_VALUES: readonly Json[] = [
  null, true, false, 0, -1, 1, 0.5, -0.0001, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, '', ' ', 'x'.repeat(300), '\u0000', '\ud83d\ude00',
  '$.x', '../../etc/passwd', 'sim:a', 'COM1', 'rs485-1', 'ABCD', 'CDAB', 'int32', 'float32', 'bool', [], {}, [1, 2, 3], { id: 'x' },
];

/** Every container path in a document (arrays and objects), with the node. */
function containers(node: Json, at: Array<string | number> = [], out: Array<{ path: Array<string | number>; node: Json[] | { [key: string]: Json } }> = []) {
  if (node !== null && typeof node === 'object') {
    out.push({ path: at, node });
    for (const [key, child] of Object.entries(node)) containers(child, [...at, Array.isArray(node) ? Number(key) : key], out);
  }
  return out;
}

/** A placeholder value, replaced by deep nesting in the text (a recursive stringify could not build it). */
/** Site files and manifests are a few KB; 256 KB holds a site of several thousand channels. */
const MAX_JSON_BYTES = 256 * 1024;

const NEST_MARK = '\u0001nest\u0001';
const NEST = JSON.stringify(NEST_MARK);

/** One mutation of the parsed document; returns the new text. */
function mutateDocument(text: string, random: Random): string {
  // A document already nested deeply is left to the byte mutations: walking it here would overflow the stack.
  if (findExcessNesting(text, 256) !== undefined) return text;
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return text;
  }
  const all = containers(doc);
  if (all.length === 0) return text;
  const { node } = random.pick(all);
  const keys = Object.keys(node);
  const key = keys.length > 0 ? random.pick(keys) : '0';
  const set = (value: Json) => {
    if (Array.isArray(node)) node[Number(key)] = value;
    else node[key] = value;
  };
  let depth = 0;
  switch (random.below(6)) {
    case 0:
      set(random.pick(ODD_VALUES));
      break;
    case 1:
      if (Array.isArray(node)) node.splice(Number(key), 1);
      else delete node[key];
      break;
    case 2:
      if (!Array.isArray(node)) {
        const value = node[key];
        delete node[key];
        node[random.chance(0.5) ? key.toUpperCase() : `${key}_`] = value;
      } else {
        set(random.pick(ODD_VALUES));
      }
      break;
    case 3:
      if (Array.isArray(node) && node.length > 0) {
        const item = node[random.below(node.length)];
        const copies = random.chance(0.2) ? random.between(100, 3000) : random.between(1, 4);
        for (let i = 0; i < copies; i++) node.push(JSON.parse(JSON.stringify(item)) as Json);
      } else {
        set(random.pick(ODD_VALUES));
      }
      break;
    case 4:
      // Deep nesting, sometimes far deeper than any recursive walk survives.
      depth = random.chance(0.3) ? random.between(2000, 20_000) : random.between(1, 64);
      set(NEST_MARK);
      break;
    default: {
      const value = (Array.isArray(node) ? node[Number(key)] : node[key]) as Json;
      if (typeof value === 'number') set(random.pick([value + 1, value - 1, -value, value * 1000, Math.floor(value / 2), value + 0.5]));
      else if (typeof value === 'string') set(random.chance(0.5) ? value + value : value.slice(0, random.below(value.length + 1)));
      else set(random.pick(ODD_VALUES));
    }
  }
  const out = JSON.stringify(doc, null, random.chance(0.5) ? 2 : undefined);
  if (depth === 0) return out;
  const open = random.chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return out.replace(NEST, open.repeat(depth) + '1' + close.repeat(depth));
}

function jsonMutation(bytes: Uint8Array, random: Random): Uint8Array {
  return encoder.encode(mutateDocument(decoder.decode(bytes), random));
}

function jsonFiles(dir: string): Uint8Array[] {
  return readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.json')).sort().map((f) => new Uint8Array(readFileSync(path.join(root, dir, f))));
}

export function siteTarget(): FuzzTarget {
  const manifests = shippedManifests();
  return {
    name: 'site-json',
    description: 'parseSiteText, inspectSiteFile, validateSiteFile (sdk/site), then buildChannelTable for a valid site',
    seeds: jsonFiles('manifests/sites').map((bytes) => ({ bytes })),
    maxRandomLength: 200,
    maxInputBytes: MAX_JSON_BYTES,
    mutate: jsonMutation,
    run(input) {
      const file = 'fuzz-site.json';
      tryEach([() => {
        const json = parseSiteText(decoder.decode(input), file);
        inspectSiteFile(json, file, manifests);
        buildChannelTable(validateSiteFile(json, file, manifests), manifests);
      }]);
    },
  };
}

export function manifestTarget(): FuzzTarget {
  return {
    name: 'manifest-json',
    description: 'parseManifestText and validateDeviceManifest (sdk/manifest)',
    seeds: jsonFiles('manifests/devices').map((bytes) => ({ bytes })),
    maxRandomLength: 200,
    maxInputBytes: MAX_JSON_BYTES,
    mutate: jsonMutation,
    run(input) {
      const file = 'fuzz-manifest.json';
      tryEach([() => validateDeviceManifest(parseManifestText(decoder.decode(input), file), file)]);
    },
  };
}

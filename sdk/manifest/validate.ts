/**
 * Host-side manifest validation: JSON Schema (manifests/schema/device.schema.json)
 * plus the semantic checks of ./semantic-checks.ts. The core trusts manifests,
 * so everything that could make a driver misread a device is caught here, and
 * every problem names the file, the JSONPath of the field and a fix.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import { findJsonSyntaxError, formatJsonPath, pointerSegments, positionOf } from './json-path.js';
import { nestingProblem } from './json-nesting.js';
import { ManifestError, type ManifestProblem } from './manifest-error.js';
import { semanticProblems } from './semantic-checks.js';
import { allowedRange, ARTICLE, fieldSchema, quote, valueAt, type SchemaNode } from './schema-node.js';
import { didYouMean } from './suggest.js';

export { ManifestError, type ManifestProblem } from './manifest-error.js';

export const DEVICE_SCHEMA_PATH = fileURLToPath(new URL('../../manifests/schema/device.schema.json', import.meta.url));

let compiled: { validate: ValidateFunction; schema: SchemaNode } | undefined;

function deviceSchema(): { validate: ValidateFunction; schema: SchemaNode } {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(DEVICE_SCHEMA_PATH, 'utf8')) as SchemaNode;
    // verbose: errors carry their schema, which the messages below quote from.
    const ajv = new Ajv({ allErrors: true, verbose: true, strictTypes: false });
    compiled = { validate: ajv.compile(schema), schema };
  }
  return compiled;
}

function patternFix(field: string | number | undefined, value: unknown, description: string): string {
  const text = typeof value === 'string' ? value : '';
  if (field === 'id' || field === 'decimalsFrom') {
    const snake = text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z]+|_+$/g, '');
    return `use snake_case: lowercase letters, digits and _ , starting with a letter${snake ? ` (e.g. '${snake}')` : ''}`;
  }
  if (field === 'di') return `write the data identifier in hex digits only, e.g. '00010000' (DL/T 645-2007) or '901F' (CJ/T 188)`;
  return description;
}

/** Translate one ajv error into a problem a field engineer can act on (undefined for ajv's bookkeeping errors). */
function problemFromSchemaError(error: ErrorObject, data: unknown, root: SchemaNode, file: string): ManifestProblem | undefined {
  const segments = pointerSegments(error.instancePath);
  const field = segments[segments.length - 1];
  const value = valueAt(data, segments);
  const protocol = valueAt(data, ['protocol']);
  const description = fieldSchema(root, segments)?.description ?? '';
  const problem = (at: Array<string | number>, message: string, fix: string): ManifestProblem => ({ file, path: formatJsonPath(at), message, fix });
  const params = error.params as Record<string, unknown>;
  const insidePoint = segments[0] === 'points' && segments.length === 2;

  switch (error.keyword) {
    case 'if':
    case 'allOf':
      return undefined; // the failing branch reports the real problem
    case 'required': {
      const missing = String(params.missingProperty);
      const sibling = (error.parentSchema as SchemaNode | undefined)?.properties?.[missing];
      const missingDoc = (typeof sibling === 'object' ? sibling.description : undefined) ?? fieldSchema(root, [...segments, missing])?.description ?? '';
      let context = '';
      if (insidePoint && protocol === 'modbus' && ['fc', 'address', 'type'].includes(missing)) context = ' (every point of a modbus device needs fc, address and type)';
      if (insidePoint && missing === 'di') context = ` (every point of a ${String(protocol)} meter is read by its data identifier)`;
      return problem([...segments, missing], `required field "${missing}" is missing${context}`, `add "${missing}": ${missingDoc}`);
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as SchemaNode | undefined)?.properties ?? {});
      const hint = didYouMean(extra, allowed);
      return problem([...segments, extra], `unknown field "${extra}"`, hint ? `rename it${hint}` : `remove it; allowed fields here: ${allowed.join(', ')}`);
    }
    case 'false schema': {
      const meterField = field === 'di' || field === 'field';
      return problem(segments, `"${String(field)}" does not belong on a point of a ${String(protocol)} device`,
        meterField
          ? 'remove it: "di" and "field" are for DL/T 645 and CJ/T 188 meters; Modbus points use fc, address and type'
          : `remove it: Modbus register fields (fc, address, type, order, bit, scale, …) do not apply to ${String(protocol)} meters, whose points are read by "di"`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      if (typeof value === 'string' && allowed.includes(Number(value))) {
        return problem(segments, `${quote(value)} is text, not a number`, `write the number without quotes: ${value}`);
      }
      return problem(segments, `${quote(value)} is not a valid ${String(field)}`, `use one of ${allowed.map((v) => String(v)).join(', ')}${didYouMean(value, allowed)}`);
    }
    case 'type': {
      const wanted = String(params.type).split(',').map((t) => ARTICLE[t] ?? t).join(' or ');
      const numericText = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
      let fix = `write ${wanted}`;
      if (numericText && /integer|number/.test(String(params.type))) fix = `write the number without quotes: ${value}`;
      if (field === 'defaultAddress' && protocol === 'modbus') fix = 'a modbus device\'s defaultAddress is its unit id, an integer 1–247';
      if (field === 'defaultAddress' && protocol !== 'modbus') fix = 'a meter address is a string of decimal digits in quotes, e.g. "000000000161"';
      return problem(segments, `must be ${wanted}, not ${quote(value)}`, description ? `${fix}. ${description}` : fix);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      let fix = `use a value ${allowedRange(fieldSchema(root, segments), params)}`;
      if (field === 'defaultAddress') fix = 'use a Modbus unit id from 1 to 247 (0 is broadcast)';
      return problem(segments, `${quote(value)} ${error.message ?? 'is out of range'}`, description ? `${fix}. ${description}` : fix);
    }
    case 'pattern':
      return problem(segments, `${quote(value)} has the wrong format`, patternFix(field, value, description));
    case 'minLength':
      return problem(segments, 'must not be empty', description || 'fill it in');
    case 'maxLength':
      return problem(segments, `${quote(value)} is too long (${error.message ?? ''})`, 'shorten it');
    case 'minItems':
      return problem(segments, 'must not be empty', field === 'points' ? 'add at least one point' : description);
    case 'not':
      return problem(segments, `${quote(value)} is not allowed here`, field === 'scale' ? 'a scale of 0 would read every value as 0: use 1 for no scaling' : description);
    case 'const':
      return problem(segments, `must be ${quote(params.allowedValue)}`, description || `use ${quote(params.allowedValue)}`);
    default:
      return problem(segments, error.message ?? `fails the ${error.keyword} rule`, description || 'see manifests/README.md');
  }
}

/**
 * Validate parsed JSON as a device manifest. `file` names the source in
 * messages. Throws ManifestError listing every problem found.
 */
export function validateDeviceManifest(json: unknown, file: string): DeviceManifest {
  const { validate, schema } = deviceSchema();
  const problems: ManifestProblem[] = [];
  const seen = new Set<string>();
  const keep = (problem: ManifestProblem | undefined) => {
    if (problem === undefined) return;
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(problem);
  };
  if (!validate(json)) for (const error of validate.errors ?? []) keep(problemFromSchemaError(error, json, schema, file));
  for (const problem of semanticProblems(json)) keep({ file, ...problem });
  if (problems.length > 0) throw new ManifestError(problems);
  return json as DeviceManifest;
}

/** Parse JSON text, turning a syntax error into a ManifestError with line:column. */
export function parseManifestText(text: string, file: string): unknown {
  const tooDeep = nestingProblem(text, file, 'device manifest');
  if (tooDeep !== undefined) throw new ManifestError([tooDeep]);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const located = findJsonSyntaxError(text);
    const fallbackOffset = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? text.length);
    const where = located ?? { ...positionOf(text, fallbackOffset), message: (error as Error).message };
    throw new ManifestError([{
      file,
      path: '$',
      line: where.line,
      column: where.column,
      message: `invalid JSON: ${where.message}`,
      fix: 'correct the JSON syntax at that line and column (an editor with the $schema line set highlights it)',
    }]);
  }
}

/** Read, parse and validate one manifest file. */
export function loadDeviceManifest(file: string): DeviceManifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ManifestError([{ file, path: '$', message: `cannot read the file: ${(error as Error).message}`, fix: 'check the path and file permissions' }]);
  }
  return validateDeviceManifest(parseManifestText(text, file), file);
}

/**
 * Every *.json manifest in `dir` (sorted by file name) that is valid, and the
 * problems of those that are not. Also checks that each id matches its file
 * name, so ids stay unique across the directory.
 */
export function inspectManifestDirectory(dir: string): { manifests: DeviceManifest[]; problems: ManifestProblem[] } {
  const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  const manifests: DeviceManifest[] = [];
  const problems: ManifestProblem[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      const manifest = loadDeviceManifest(file);
      const expected = name.slice(0, -'.json'.length);
      if (manifest.id !== expected) {
        problems.push({ file, path: '$.id', message: `id '${manifest.id}' differs from the file name '${name}'`, fix: `rename the file to ${manifest.id}.json or set "id": "${expected}"` });
      }
      manifests.push(manifest);
    } catch (error) {
      if (error instanceof ManifestError) problems.push(...error.problems);
      else throw error;
    }
  }
  return { manifests, problems };
}

/** Load every manifest in `dir` (see inspectManifestDirectory). Throws one ManifestError listing the problems of all files. */
export function loadManifestDirectory(dir: string): DeviceManifest[] {
  const { manifests, problems } = inspectManifestDirectory(dir);
  if (problems.length > 0) throw new ManifestError(problems);
  return manifests;
}

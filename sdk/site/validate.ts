/**
 * Host-side site-file validation: JSON Schema (manifests/schema/site.schema.json)
 * plus the cross-references of ./semantic-checks.ts. The gateway core trusts
 * site files, so everything that would make it poll the wrong device, raise an
 * alert on a point that does not exist or fight over a port is caught here,
 * and every problem names the file, the JSONPath of the field and a fix.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { findJsonSyntaxError, positionOf } from '../manifest/json-path.js';
import { nestingProblem } from '../manifest/json-nesting.js';
import { loadManifestDirectory } from '../manifest/validate.js';
import { problemFromSchemaError, type SchemaNode } from './schema-problems.js';
import { semanticFindings } from './semantic-checks.js';
import { SiteError, type SiteProblem } from './site-error.js';

export { SiteError, formatProblem, type SiteProblem } from './site-error.js';

export const SITE_SCHEMA_PATH = fileURLToPath(new URL('../../manifests/schema/site.schema.json', import.meta.url));
export const DEVICES_DIR = fileURLToPath(new URL('../../manifests/devices/', import.meta.url));

let compiled: { validate: ValidateFunction; schema: SchemaNode } | undefined;

function siteSchema(): { validate: ValidateFunction; schema: SchemaNode } {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(SITE_SCHEMA_PATH, 'utf8')) as SchemaNode;
    const ajv = new Ajv({ allErrors: true, verbose: true, strictTypes: false });
    compiled = { validate: ajv.compile(schema), schema };
  }
  return compiled;
}

export type ManifestSource = ReadonlyMap<string, DeviceManifest> | readonly DeviceManifest[];

function asLookup(manifests: ManifestSource): ReadonlyMap<string, DeviceManifest> {
  return manifests instanceof Map ? manifests : new Map((manifests as readonly DeviceManifest[]).map((m) => [m.id, m]));
}

export interface SiteCheck {
  problems: SiteProblem[];
  /** Not wrong, but worth a look (line settings to configure on a device, thresholds that can never fire). */
  warnings: SiteProblem[];
}

/** Every problem and warning of a parsed site file, without throwing. */
export function inspectSiteFile(json: unknown, file: string, manifests: ManifestSource): SiteCheck {
  const { validate, schema } = siteSchema();
  const problems: SiteProblem[] = [];
  const seen = new Set<string>();
  const keep = (list: SiteProblem[], problem: Omit<SiteProblem, 'file'> | undefined) => {
    if (problem === undefined) return;
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    list.push({ file, ...problem });
  };
  if (!validate(json)) for (const error of validate.errors ?? []) keep(problems, problemFromSchemaError(error, json, schema));
  const findings = semanticFindings(json, asLookup(manifests));
  for (const problem of findings.problems) keep(problems, problem);
  const warnings: SiteProblem[] = [];
  for (const warning of findings.warnings) keep(warnings, warning);
  return { problems, warnings };
}

/** Validate a parsed site file against the schema and `manifests`. Throws SiteError listing every problem. */
export function validateSiteFile(json: unknown, file: string, manifests: ManifestSource): SiteFile {
  const { problems } = inspectSiteFile(json, file, manifests);
  if (problems.length > 0) throw new SiteError(problems);
  return json as SiteFile;
}

/** Parse JSON text, turning a syntax error into a SiteError with line:column. */
export function parseSiteText(text: string, file: string): unknown {
  const tooDeep = nestingProblem(text, file, 'site file');
  if (tooDeep !== undefined) throw new SiteError([tooDeep]);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const located = findJsonSyntaxError(text) ?? { ...positionOf(text, text.length), message: (error as Error).message };
    throw new SiteError([{
      file,
      path: '$',
      line: located.line,
      column: located.column,
      message: `invalid JSON: ${located.message}`,
      fix: 'correct the JSON syntax at that line and column (an editor with the $schema line set highlights it)',
    }]);
  }
}

export interface LoadSiteOptions {
  /** Manifests to check against; default: every manifest in manifests/devices (validated). */
  manifests?: ManifestSource;
  /** Told about each warning (the CLI prints them to stderr). */
  onWarning?: (warning: SiteProblem) => void;
}

/** Every manifest of manifests/devices by id (each validated; throws ManifestError). */
export function loadShippedManifests(dir: string = DEVICES_DIR): Map<string, DeviceManifest> {
  return new Map(loadManifestDirectory(dir).map((m) => [m.id, m]));
}

/** Read, parse and validate a site file. */
export function loadSiteFile(file: string, options: LoadSiteOptions = {}): SiteFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SiteError([{ file, path: '$', message: `cannot read the file: ${(error as Error).message}`, fix: 'check the path and file permissions' }]);
  }
  const json = parseSiteText(text, file);
  const { problems, warnings } = inspectSiteFile(json, file, options.manifests ?? loadShippedManifests());
  if (problems.length > 0) throw new SiteError(problems);
  for (const warning of warnings) options.onWarning?.(warning);
  return json as SiteFile;
}

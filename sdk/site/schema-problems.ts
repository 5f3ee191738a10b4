/**
 * ajv errors against manifests/schema/site.schema.json, turned into problems a
 * field engineer can act on: the JSONPath of the field, what is wrong with the
 * value, and a fix quoting the schema's own description of the field.
 */
import type { ErrorObject } from 'ajv';
import { formatJsonPath, pointerSegments } from '../manifest/json-path.js';
import { allowedRange, ARTICLE, fieldSchema, quote, valueAt, type SchemaNode } from '../manifest/schema-node.js';
import { didYouMean } from '../manifest/suggest.js';

export { quote, type SchemaNode };

export interface SchemaProblem {
  path: string;
  message: string;
  fix: string;
}

/** Translate one ajv error (undefined for ajv's bookkeeping errors and for branches reported elsewhere). */
export function problemFromSchemaError(error: ErrorObject, data: unknown, root: SchemaNode): SchemaProblem | undefined {
  const segments = pointerSegments(error.instancePath);
  const field = segments[segments.length - 1];
  const value = valueAt(data, segments);
  const description = fieldSchema(root, segments)?.description ?? '';
  const params = error.params as Record<string, unknown>;
  const problem = (at: ReadonlyArray<string | number>, message: string, fix: string): SchemaProblem => ({ path: formatJsonPath(at), message, fix });
  const withDescription = (fix: string) => (description ? `${fix}. ${description}` : fix);

  // The "above or below" alternatives report themselves through their anyOf.
  if (error.schemaPath.includes('/anyOf/')) return undefined;
  switch (error.keyword) {
    case 'if':
    case 'allOf':
      return undefined;
    case 'anyOf':
      return problem(segments, 'needs "above" or "below"', 'add "above": <number> (raised above it) or "below": <number> (raised below it), or both');
    case 'required': {
      const missing = String(params.missingProperty);
      const doc = fieldSchema(root, [...segments, missing])?.description ?? '';
      return problem([...segments, missing], `required field "${missing}" is missing`, `add "${missing}"${doc ? `: ${doc}` : ''}`);
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const parent = error.parentSchema as SchemaNode | undefined;
      const allowed = Object.keys(parent?.properties ?? fieldSchema(root, segments)?.properties ?? {});
      const hint = didYouMean(extra, allowed);
      return problem([...segments, extra], `unknown field "${extra}"`, hint ? `rename it${hint}` : `remove it; allowed fields here: ${allowed.join(', ')}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      if (typeof value === 'string' && allowed.includes(Number(value))) return problem(segments, `${quote(value)} is text, not a number`, `write the number without quotes: ${value}`);
      return problem(segments, `${quote(value)} is not a valid ${String(field)}`, `use one of ${allowed.map(String).join(', ')}${didYouMean(value, allowed)}`);
    }
    case 'type': {
      const wanted = String(params.type).split(',').map((t) => ARTICLE[t] ?? t).join(' or ');
      const numericText = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
      const fix = numericText && /integer|number/.test(String(params.type)) ? `write the number without quotes: ${value}` : `write ${wanted}`;
      return problem(segments, `must be ${wanted}, not ${quote(value)}`, withDescription(fix));
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      return problem(segments, `${quote(value)} ${error.message ?? 'is out of range'}`, withDescription(`use a value ${allowedRange(fieldSchema(root, segments), params)}`));
    }
    case 'pattern': {
      if (field === 'id' || field === 'manifest' || field === 'device') {
        const kebab = typeof value === 'string' ? value.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') : '';
        return problem(segments, `${quote(value)} has the wrong format`, `use kebab-case: lowercase letters, digits and -, starting with a letter or digit${kebab ? ` (e.g. '${kebab}')` : ''}`);
      }
      return problem(segments, `${quote(value)} has the wrong format`, description || 'see manifests/sites/README.md');
    }
    case 'minLength':
    case 'minItems':
      return problem(segments, 'must not be empty', description || 'fill it in');
    case 'maxLength':
      return problem(segments, `${quote(value)} is too long`, 'shorten it');
    case 'const':
      return problem(segments, `must be ${quote(params.allowedValue)}`, description || `use ${quote(params.allowedValue)}`);
    default:
      return problem(segments, error.message ?? `fails the ${error.keyword} rule`, description || 'see manifests/sites/README.md');
  }
}

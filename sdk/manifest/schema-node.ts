/**
 * Walking a JSON Schema and the data it judged, for turning ajv errors into
 * messages: shared by the device-manifest and site-file validators, whose
 * per-keyword wording stays with each document.
 */
export interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode | boolean>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  allOf?: Array<{ then?: SchemaNode }>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** The schema node documenting `segments`: properties, items, map values and if/then branches. */
export function fieldSchema(root: SchemaNode, segments: ReadonlyArray<string | number>): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const segment of segments) {
    if (node === undefined) return undefined;
    if (typeof segment === 'number') {
      node = node.items;
      continue;
    }
    let next: SchemaNode | boolean | undefined = node.properties?.[segment];
    for (const branch of node.allOf ?? []) next ??= branch.then?.properties?.[segment];
    if (next === undefined && typeof node.additionalProperties === 'object') next = node.additionalProperties;
    node = typeof next === 'object' ? next : undefined;
  }
  return node;
}

/** The value at `segments` in parsed JSON, or undefined. */
export function valueAt(data: unknown, segments: ReadonlyArray<string | number>): unknown {
  let value = data;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** JSON type names as a sentence says them. */
export const ARTICLE: Record<string, string> = { integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false', object: 'an object { … }', array: 'an array [ … ]' };

/** A value quoted for a message, cut at 60 characters. */
export function quote(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Too deep (or cyclic) to print: say what it is instead of losing the whole report.
    return Array.isArray(value) ? 'an array too deeply nested to show' : 'an object too deeply nested to show';
  }
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 60) + '…' : text;
}

/**
 * The values a range keyword allows, as words that complete "use a value …":
 * "from 1 to 247", "above 0", "of at least 1", "below 100", "of at most 60000".
 * `params` is the failing ajv error's ({ comparison, limit }).
 */
export function allowedRange(node: SchemaNode | undefined, params: { comparison?: unknown; limit?: unknown }): string {
  const low = node?.minimum ?? node?.exclusiveMinimum;
  if (node?.maximum !== undefined && low !== undefined) return `from ${low} to ${node.maximum}`;
  const limit = String(params.limit);
  switch (params.comparison) {
    case '>':
      return `above ${limit}`;
    case '>=':
      return `of at least ${limit}`;
    case '<':
      return `below ${limit}`;
    default:
      return `of at most ${limit}`;
  }
}

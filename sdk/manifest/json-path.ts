/**
 * Locations inside JSON documents, in the two forms field engineers meet:
 * a JSONPath such as `$.points[3].type` for a field, and `line:column` for a
 * syntax error in the file itself.
 */

/** `$.points[3].type` from path segments. Keys that are not identifiers are quoted: `$['odd key']`. */
export function formatJsonPath(segments: ReadonlyArray<string | number>): string {
  let out = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment).replace(/^"|"$/g, "'")}]`;
  }
  return out;
}

/** Segments of a JSON Pointer (RFC 6901) such as ajv's instancePath `/points/3/type`; array indexes become numbers. */
export function pointerSegments(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment));
}

export function pointerToJsonPath(pointer: string): string {
  return formatJsonPath(pointerSegments(pointer));
}

export interface TextPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units. */
  column: number;
}

export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: Math.min(offset, text.length) - lineStart + 1 };
}

export interface JsonSyntaxProblem extends TextPosition {
  offset: number;
  message: string;
}

/**
 * Find the first JSON syntax error in `text`, with its position, or undefined
 * when the text is valid JSON. JSON.parse's messages differ between Node
 * versions and some carry no position at all, so this small scanner does the
 * locating itself.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw Object.assign(new Error(message), { offset: at });
  };
  const describe = (at: number): string => (at >= text.length ? 'end of file' : `'${text[at]}'`);
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expectWord = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe(i)}: expected a value (string, number, object, array, true, false or null)`);
  };
  const parseString = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 0x20) fail('control character (such as a line break) inside a string: strings must stay on one line');
      if (c === 92) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape: it needs four hex digits');
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else fail(`bad escape '\\${next ?? ''}' in string`);
      } else i++;
    }
    fail('unterminated string: a closing " is missing');
  };
  const parseNumber = () => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (match === null || match[0] === '' || match[0] === '-') fail(`unexpected ${describe(i)}: expected a value`);
    else i += match[0].length;
  };
  const parseValue = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail(text[i] === '}' ? 'trailing comma before }' : `unexpected ${describe(i)}: expected a "quoted" property name`);
        parseString();
        skipSpace();
        if (text[i] !== ':') fail(`unexpected ${describe(i)}: expected ':' after the property name`);
        i++;
        parseValue();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`unexpected ${describe(i)}: expected ',' or '}' (a comma is probably missing)`);
      }
    } else if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] === ']') fail('trailing comma before ]');
        parseValue();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`unexpected ${describe(i)}: expected ',' or ']' (a comma is probably missing)`);
      }
    } else if (c === '"') parseString();
    else if (c === 't') expectWord('true');
    else if (c === 'f') expectWord('false');
    else if (c === 'n') expectWord('null');
    else parseNumber();
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1; // a BOM is tolerated by editors; report it only through JSON.parse
    parseValue();
    skipSpace();
    if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    const offset = (error as { offset: number }).offset;
    return { offset, ...positionOf(text, offset), message: (error as Error).message };
  }
}

/**
 * A guard against absurdly nested JSON. JSON.parse copes with thousands of
 * levels, but the validators after it walk documents recursively, and about
 * 5,000 levels exhaust the stack ("Maximum call stack size exceeded", with no
 * file named). Site files, device manifests and host configs need fewer than
 * ten levels, so anything past MAX_JSON_NESTING is refused before parsing,
 * with the file, line and column where the nesting goes too deep.
 */
import { positionOf, type TextPosition } from './json-path.js';

export const MAX_JSON_NESTING = 64;

/** Where `text` first nests arrays/objects deeper than `limit`, or undefined. A scan, not a recursion. */
export function findExcessNesting(text: string, limit = MAX_JSON_NESTING): TextPosition | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return positionOf(text, i);
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

/** A problem (file, line:column, message, fix) for text nested too deeply, or undefined. */
export function nestingProblem(text: string, file: string, what: string): { file: string; path: string; line: number; column: number; message: string; fix: string } | undefined {
  const at = findExcessNesting(text);
  if (at === undefined) return undefined;
  return {
    file,
    path: '$',
    line: at.line,
    column: at.column,
    message: `arrays and objects are nested more than ${MAX_JSON_NESTING} levels deep`,
    fix: `a ${what} needs only a few levels; remove the extra [ or { brackets that start there (a generated file may have wrapped itself)`,
  };
}

/**
 * A lexical check that generated codec source stays inside ES5.1 (The Things
 * Stack's runtime): no let/const/class, arrows, template literals, spread,
 * for-of, or ES2015+ built-ins we could slip in by habit. Strings and comments
 * are blanked first so prose may mention them.
 */
import { blankCommentsAndStrings } from '../source/blank-comments.js';
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\blet\b/, 'let'],
  [/\bconst\b/, 'const'],
  [/\bclass\b/, 'class'],
  [/=>/, 'arrow function'],
  [/`/, 'template literal'],
  [/\.\.\./, 'spread/rest'],
  [/\bfor\s*\([^)]*\bof\b/, 'for…of'],
  [/\b(?:Map|Set|WeakMap|Symbol|Promise|Proxy|Reflect)\b/, 'ES2015 built-in'],
  [/\*\*/, 'exponent operator'],
  [/\b(?:async|await|yield)\b/, 'async/generator'],
  [/\.(?:includes|find|findIndex|padStart|padEnd|startsWith|endsWith|repeat|fill|from|of|assign|entries|values|keys)\s*\(/, 'ES2015+ method'],
  [/\bNumber\.(?:isInteger|isFinite|isSafeInteger|EPSILON)\b/, 'ES2015 Number member'],
];

export function es5Violations(source: string): string[] {
  const code = blankCommentsAndStrings(source, { templateLiterals: false });
  const found: string[] = [];
  for (const [pattern, what] of FORBIDDEN) {
    const match = pattern.exec(code);
    if (match) found.push(`${what} at line ${code.slice(0, match.index).split('\n').length}`);
  }
  return found;
}


/**
 * The rule that keeps drivers/ runnable on both Node and XS: imports are
 * relative (or a short allow-list of pure-ES packages), and no host global is
 * touched. Comments and string literals are ignored so prose can mention them.
 */
import { blankCommentsAndStrings } from '../../sdk/source/blank-comments.js';
export interface Violation {
  file: string;
  line: number;
  text: string;
  reason: string;
}

/** npm packages allowed in the core: none today (the core's CBOR codec is its own; see drivers/batch/cbor-codec.ts). */
export const PURE_PACKAGES = new Set<string>();

const FORBIDDEN_GLOBALS: Record<string, string> = {
  Buffer: 'use Uint8Array (drivers/bytes.ts has hex/concat helpers)',
  process: 'configuration comes in through constructor options',
  require: 'use ESM imports of relative modules',
  setTimeout: 'use the Clock port: clock.schedule(ms, fn)',
  setInterval: 'use the Clock port: clock.schedule(ms, fn)',
  setImmediate: 'use the Clock port or a resolved promise',
  clearTimeout: 'use the Clock port: clock.cancel(handle)',
  clearInterval: 'use the Clock port: clock.cancel(handle)',
  console: 'report through return values, errors or an injected logger',
  TextEncoder: 'not a global on Moddable by default: use asciiBytes() from drivers/bytes.ts',
  TextDecoder: 'not a global on Moddable by default: use asciiText() from drivers/bytes.ts',
  fetch: 'network access belongs to a host adapter',
  crypto: 'use the BlockCipher port',
  __dirname: 'no file system in the core',
  __filename: 'no file system in the core',
};

const FORBIDDEN_CALLS: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'time comes from the Clock port (clock.now() / clock.unixTimeMs())'],
  [/\bnew\s+Date\s*\(\s*\)/, 'time comes from the Clock port (clock.unixTimeMs())'],
  [/\bMath\.random\s*\(/, 'randomness must be injected so runs are reproducible'],
];

/** Blank out comments and string/template literal contents, keeping line structure. */
export function stripCommentsAndStrings(source: string): string {
  return blankCommentsAndStrings(source, { templateLiterals: true });
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

export function checkSource(file: string, source: string): Violation[] {
  const violations: Violation[] = [];
  const lines = source.split('\n');
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;

  for (const match of source.matchAll(IMPORT_RE)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier.startsWith('./') || specifier.startsWith('../')) continue;
    const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (PURE_PACKAGES.has(pkg)) continue;
    const line = lineOf(match.index ?? 0);
    violations.push({
      file,
      line,
      text: lines[line - 1].trim(),
      reason: `imports '${specifier}': drivers/ may import only relative modules${PURE_PACKAGES.size > 0 ? ` or ${[...PURE_PACKAGES].join(', ')}` : ''}; move host code to firmware/ and pass it in through a port`,
    });
  }

  const code = stripCommentsAndStrings(source);
  const codeLines = code.split('\n');
  codeLines.forEach((codeLine, index) => {
    for (const [name, fix] of Object.entries(FORBIDDEN_GLOBALS)) {
      // A bare identifier use: not a property (x.console), not an object key (console:), not part of a longer name.
      const re = new RegExp(`(?<![.\\w$#])${name}(?![\\w$])(?!\\s*:(?!:))`);
      if (re.test(codeLine) && !/^\s*(import|export)\b/.test(codeLine)) {
        violations.push({ file, line: index + 1, text: lines[index].trim(), reason: `uses host global '${name}': ${fix}` });
      }
    }
    for (const [re, fix] of FORBIDDEN_CALLS) {
      if (re.test(codeLine)) violations.push({ file, line: index + 1, text: lines[index].trim(), reason: fix });
    }
  });
  return violations;
}

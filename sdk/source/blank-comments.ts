/**
 * Blank out comments and the contents of string literals in JavaScript or
 * TypeScript source, keeping line structure, so lexical checks (the core's
 * runtime-neutrality rule, the ES5.1 check of generated codecs) see only code.
 */
export function blankCommentsAndStrings(source: string, options: { templateLiterals: boolean }): string {
  const quotes = options.templateLiterals ? ['"', "'", '`'] : ['"', "'"];
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (quotes.includes(c)) {
      out += c;
      i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\n') out += '\n';
        i += source[i] === '\\' ? 2 : 1;
      }
      out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

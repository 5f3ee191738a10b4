/**
 * Argument parsing for AT reply lines ("1,\"10.0.0.1\",5683,4,AABB,0"). Any
 * malformed field becomes NBIOT_BAD_REPLY naming the command, never a raw
 * TypeError, so fuzzed or corrupted replies fail in a way callers can handle.
 */
import { NbIotError } from './errors.js';

/** Split on commas outside double quotes; trims fields and removes the quotes. */
export function splitArgs(body: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(field.trim());
      field = '';
    } else field += c;
  }
  out.push(field.trim());
  return out;
}

/** The text after "<prefix>:" with leading spaces removed, or undefined. */
export function afterPrefix(line: string, prefix: string): string | undefined {
  if (!line.startsWith(prefix + ':')) return undefined;
  return line.slice(prefix.length + 1).trimStart();
}

export function badReply(command: string, what: string, line: string | undefined): NbIotError {
  return new NbIotError('NBIOT_BAD_REPLY', `unexpected reply ${line === undefined ? '(none)' : JSON.stringify(line.length > 80 ? line.slice(0, 77) + '...' : line)}: ${what}`, {
    command,
    fix: 'check the module firmware version (AT+CGMR) and the baud rate; a corrupted line usually means noise on the UART',
  });
}

/** Parse a decimal integer field strictly (no "12abc", no empty string). */
export function intArg(text: string | undefined, command: string, what: string, line?: string): number {
  if (text === undefined || !/^-?\d{1,10}$/.test(text)) throw badReply(command, `${what} is not an integer`, line ?? text);
  return Number(text);
}

export function isHex(text: string): boolean {
  return text.length % 2 === 0 && /^[0-9A-Fa-f]*$/.test(text);
}

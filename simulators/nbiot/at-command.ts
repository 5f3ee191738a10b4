/**
 * How the simulated modem reads a command line: "AT+NSOST=0,1.2.3.4,5683,2,AB01"
 * → { name: '+NSOST', kind: 'set', args: [...] }. Written separately from the
 * driver's reply parser on purpose, so the two sides of the wire do not share
 * a misunderstanding.
 */
export interface SimCommand {
  /** "+NSOST", "E0", "" for plain AT, "I" for ATI. */
  name: string;
  kind: 'exec' | 'set' | 'query' | 'test';
  args: SimArg[];
  line: string;
}

export interface SimArg {
  text: string;
  quoted: boolean;
}

export function parseSimCommand(line: string): SimCommand | undefined {
  if (!/^AT/i.test(line)) return undefined;
  const rest = line.slice(2);
  if (rest.length === 0 || rest[0] !== '+') return { name: rest.toUpperCase(), kind: 'exec', args: [], line };
  const match = /^(\+[A-Za-z0-9]+)(=\?|=|\?)?(.*)$/.exec(rest);
  if (match === null) return undefined;
  const [, name, op, tail] = match;
  const kind = op === '=?' ? 'test' : op === '=' ? 'set' : op === '?' ? 'query' : 'exec';
  if (kind !== 'set' && tail.length > 0) return undefined;
  return { name: name.toUpperCase(), kind, args: kind === 'set' ? splitFields(tail) : [], line };
}

function splitFields(text: string): SimArg[] {
  const out: SimArg[] = [];
  let current: SimArg = { text: '', quoted: false };
  let inQuotes = false;
  for (const c of text) {
    if (c === '"') {
      inQuotes = !inQuotes;
      current.quoted = true;
    } else if (c === ',' && !inQuotes) {
      out.push(current);
      current = { text: '', quoted: false };
    } else current.text += c;
  }
  out.push(current);
  return out;
}

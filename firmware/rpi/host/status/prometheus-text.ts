/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests
 * and tools: it refuses what a Prometheus server would refuse or misread (a
 * sample before its TYPE, a family declared twice, a bad label, a value that
 * is no number) and a counter whose name does not end in _total.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: string;
  help: string;
  samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = LABEL.exec(rest);
    if (match === null) throw new Error(`line ${line}: bad label list {${text}}`);
    if (match[1] in labels) throw new Error(`line ${line}: label ${match[1]} given twice`);
    labels[match[1]] = match[2].replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: value "${text}" is not a number`);
  return Number(text);
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, PromFamily>();
  const helps = new Map<string, string>();
  text.slice(0, -1).split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.startsWith('# HELP ')) {
      const [, name, help] = /^# HELP (\S+) ?(.*)$/.exec(raw) ?? [];
      if (name === undefined || !NAME.test(name)) throw new Error(`line ${line}: bad HELP line`);
      if (helps.has(name)) throw new Error(`line ${line}: second HELP for ${name}`);
      helps.set(name, help);
      return;
    }
    if (raw.startsWith('# TYPE ')) {
      const [, name, type] = /^# TYPE (\S+) (\S+)$/.exec(raw) ?? [];
      if (name === undefined || !NAME.test(name) || !TYPES.has(type)) throw new Error(`line ${line}: bad TYPE line "${raw}"`);
      if (families.has(name)) throw new Error(`line ${line}: second TYPE for ${name}`);
      if (type === 'counter' && !name.endsWith('_total')) throw new Error(`line ${line}: counter ${name} does not end in _total`);
      families.set(name, { name, type, help: helps.get(name) ?? '', samples: [] });
      return;
    }
    if (raw.startsWith('#') || raw.trim() === '') return;
    const match = SAMPLE.exec(raw);
    if (match === null) throw new Error(`line ${line}: not a sample: "${raw}"`);
    const family = families.get(match[1]);
    if (family === undefined) throw new Error(`line ${line}: sample of ${match[1]} before its TYPE line`);
    family.samples.push({ name: match[1], labels: parseLabels(match[2] ?? '', line), value: parseValue(match[3], line) });
  });
  for (const family of families.values()) if (!helps.has(family.name)) throw new Error(`${family.name} has no HELP line`);
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function sampleValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = families.get(name)?.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matching[0]?.value;
}

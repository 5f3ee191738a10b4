/**
 * Checks that JSON Schema cannot express (or expresses with useless messages):
 * relations between fields and between points. They run on the raw parsed JSON
 * next to the schema check, so every guard here tolerates missing or
 * ill-typed fields: the schema reports those, this module reports the rest.
 */
import { wordCount } from '../../drivers/modbus/values.js';
import type { ValueType } from '../../drivers/devices/manifest.js';
import { recordFieldNames } from '../../drivers/cjt188/record.js';
import { lookupDataId } from '../../drivers/dlt645/data-ids.js';
import { formatJsonPath } from './json-path.js';
import { didYouMean } from './suggest.js';

export interface SemanticProblem {
  path: string;
  message: string;
  fix: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

const VALUE_TYPES: readonly ValueType[] = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'bits'];
const SIXTEEN_BIT_ORDERS = ['AB', 'BA'];
const WIDE_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

function valueType(point: Json): ValueType | undefined {
  return VALUE_TYPES.includes(point.type as ValueType) ? (point.type as ValueType) : undefined;
}

/** Registers (or coils) a Modbus point occupies, or undefined when its fields are unusable. */
function span(point: Json): number | undefined {
  const type = valueType(point);
  if (type === undefined) return undefined;
  return point.fc === 1 || point.fc === 2 ? 1 : wordCount(type);
}

function bitMask(point: Json): number | undefined {
  const bit = point.bit ?? 0;
  const count = point.type === 'bits' ? point.bitCount : 1;
  if (!isInt(bit) || !isInt(count) || bit + count > 16) return undefined;
  return ((2 ** count - 1) * 2 ** bit) & 0xffff;
}

export function semanticProblems(manifest: unknown): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  if (!isObject(manifest)) return problems;
  const add = (segments: Array<string | number>, message: string, fix: string) => problems.push({ path: formatJsonPath(segments), message, fix });
  const protocol = manifest.protocol;
  const points = Array.isArray(manifest.points) ? manifest.points : [];

  checkDefaultAddress(manifest, add);
  checkDownlinkPollPeriod(manifest, add);
  checkUniqueIds(points, add);

  const ids = new Map<string, Json>();
  for (const p of points) if (isObject(p) && typeof p.id === 'string' && !ids.has(p.id)) ids.set(p.id, p);

  points.forEach((point, index) => {
    if (!isObject(point)) return;
    const at = (...rest: Array<string | number>) => ['points', index, ...rest];
    if (typeof point.min === 'number' && typeof point.max === 'number' && point.min > point.max) {
      add(at('min'), `min ${point.min} is greater than max ${point.max}`, 'swap min and max');
    }
    checkSimulation(point, ids, at, add);
    if (protocol === 'modbus') checkModbusPoint(point, ids, at, add);
    else if (protocol === 'dlt645-2007' || protocol === 'dlt645-1997' || protocol === 'cjt188') checkMeterPoint(point, protocol, at, add);
  });

  if (protocol === 'modbus') checkOverlaps(points, add);
  return problems;
}

type Add = (segments: Array<string | number>, message: string, fix: string) => void;
type At = (...rest: Array<string | number>) => Array<string | number>;

function checkDefaultAddress(manifest: Json, add: Add): void {
  const address = manifest.defaultAddress;
  if (typeof address !== 'string') return;
  const digits = manifest.protocol === 'cjt188' ? 14 : manifest.protocol === 'dlt645-2007' || manifest.protocol === 'dlt645-1997' ? 12 : undefined;
  if (digits !== undefined && !new RegExp(`^[0-9]{${digits}}$`).test(address)) {
    add(['defaultAddress'], `meter address '${address}' is not ${digits} decimal digits`,
      `write the address as printed on the meter nameplate, ${digits} digits, padded with leading zeros (e.g. '${'0'.repeat(digits - 3)}161')`);
  }
}

function checkDownlinkPollPeriod(manifest: Json, add: Add): void {
  const bounds = manifest.downlinkPollPeriodS;
  if (!isObject(bounds) || typeof bounds.min !== 'number' || typeof bounds.max !== 'number' || bounds.min <= bounds.max) return;
  add(['downlinkPollPeriodS', 'min'], `downlink poll period min ${bounds.min} s is greater than max ${bounds.max} s`, 'swap min and max');
}

function checkUniqueIds(points: unknown[], add: Add): void {
  const first = new Map<string, number>();
  points.forEach((point, index) => {
    if (!isObject(point) || typeof point.id !== 'string') return;
    const earlier = first.get(point.id);
    if (earlier === undefined) first.set(point.id, index);
    else add(['points', index, 'id'], `duplicate point id '${point.id}' (already used by ${formatJsonPath(['points', earlier])})`, 'give every point its own id; rules and uplink channels refer to points by id');
  });
}

function checkSimulation(point: Json, ids: Map<string, Json>, at: At, add: Add): void {
  const sim = point.sim;
  if (!isObject(sim)) return;
  if (sim.model === 'random-walk' && typeof sim.min === 'number' && typeof sim.max === 'number') {
    if (sim.min > sim.max) add(at('sim', 'min'), `random-walk min ${sim.min} is greater than max ${sim.max}`, 'swap min and max');
    else if (typeof sim.base === 'number' && (sim.base < sim.min || sim.base > sim.max)) {
      add(at('sim', 'base'), `random-walk base ${sim.base} lies outside its own ${sim.min}..${sim.max}`, 'start the walk inside its bounds');
    }
  }
  if (sim.model === 'alarm' && point.type !== undefined && point.type !== 'bool') {
    add(at('sim', 'model'), `the alarm model produces on/off, but the point is ${String(point.type)}`, "use the alarm model on bool points, or pick a numeric model such as 'constant'");
  }
  if (sim.model === 'threshold') checkThresholdSimulation(point, sim, ids, at, add);
}

/** A threshold alarm watches one numeric, model-driven point of its own device (no chains: a chain could loop). */
function checkThresholdSimulation(point: Json, sim: Json, ids: Map<string, Json>, at: At, add: Add): void {
  if (point.type !== undefined && point.type !== 'bool') {
    add(at('sim', 'model'), `the threshold model produces on/off, but the point is ${String(point.type)}`, 'use the threshold model on bool points');
  }
  if (typeof sim.point !== 'string') return;
  const watched = ids.get(sim.point);
  if (watched === undefined) {
    add(at('sim', 'point'), `sim.point '${sim.point}' is not a point of this device`, `name the id of the value this alarm watches, one of: ${[...ids.keys()].join(', ')}`);
  } else if (sim.point === point.id || !isObject(watched.sim) || watched.sim.model === 'threshold' || watched.type === 'bool') {
    add(at('sim', 'point'), `sim.point '${sim.point}' must be another numeric point with a model of its own (not bool, not a threshold)`, 'point the alarm at the measurement it is about, e.g. the temperature for a heat alarm');
  }
}

function checkModbusPoint(point: Json, ids: Map<string, Json>, at: At, add: Add): void {
  const type = valueType(point);
  const fc = point.fc;
  const coilTable = fc === 1 || fc === 2;
  if (coilTable && type !== undefined && type !== 'bool') {
    add(at('type'), `FC0${fc} reads single bits, but the type is ${type}`, `use "type": "bool", or read registers with fc 3 (holding) or 4 (input)`);
  }
  if (point.writable === true && (fc === 2 || fc === 4)) {
    add(at('writable'), `FC0${fc} ${fc === 2 ? 'discrete inputs' : 'input registers'} are read-only`, 'remove "writable", or use fc 1 (coils) / fc 3 (holding registers) if the device accepts writes there');
  }
  if (type === 'bool' && (fc === 3 || fc === 4) && point.bit === undefined) {
    add(at('bit'), 'a bool read from a register needs the bit it lives in', 'add "bit": 0–15 (0 = least significant), or use "type": "uint16" for the whole register');
  }
  if (point.bit !== undefined && type !== undefined && type !== 'bool' && type !== 'bits') {
    add(at('bit'), `"bit" has no meaning for a ${type} value`, 'remove "bit", or use "type": "bool" (one bit) or "bits" (a bit field)');
  }
  if (coilTable && point.bit !== undefined) {
    add(at('bit'), `FC0${fc} already addresses single bits`, 'remove "bit"; put the coil or input number in "address"');
  }
  if (point.bitCount !== undefined && type !== undefined && type !== 'bits') {
    add(at('bitCount'), `"bitCount" only applies to "type": "bits", not ${type}`, 'remove "bitCount" or use "type": "bits"');
  }
  if (type === 'bits' && isInt(point.bitCount)) {
    const bit = isInt(point.bit) ? point.bit : 0;
    if (bit + point.bitCount > 16) {
      add(at('bitCount'), `bits ${bit}..${bit + point.bitCount - 1} run past the top of the 16-bit register`, `use a bitCount of at most ${16 - bit}, or a lower "bit"`);
    }
  }
  if (typeof point.order === 'string' && type !== undefined) {
    const words = wordCount(type);
    const wideFix = 'use one of ABCD (default), CDAB (word swap), BADC (byte swap), DCBA (little-endian)';
    if (type === 'bool' || type === 'bits') {
      add(at('order'), `"order" has no meaning for ${type} points`, 'remove "order"');
    } else if (!SIXTEEN_BIT_ORDERS.includes(point.order) && !WIDE_ORDERS.includes(point.order)) {
      add(at('order'), `"${point.order}" is not a byte order`, words === 1 ? 'use "AB" (default) or "BA" (bytes swapped) for 16-bit values' : `${wideFix} for ${type}`);
    } else if (words === 1 && !SIXTEEN_BIT_ORDERS.includes(point.order)) {
      add(at('order'), `${point.order} is a 32/64-bit order, but ${type} is one register`, 'use "AB" (default) or "BA" (bytes swapped) for 16-bit values');
    } else if (words > 1 && !WIDE_ORDERS.includes(point.order)) {
      add(at('order'), `${point.order} is a 16-bit order, but ${type} spans ${words} registers`, wideFix);
    }
  }
  if (isInt(point.address) && type !== undefined) {
    const words = span(point) ?? 1;
    if (point.address + words > 65536) {
      add(at('address'), `a ${type} at address ${point.address} needs registers up to ${point.address + words - 1}, past the last address 65535`, `use an address of at most ${65536 - words}`);
    }
  }
  if (typeof point.decimalsFrom === 'string') {
    const source = ids.get(point.decimalsFrom);
    if (source === undefined) {
      const configIds = [...ids.values()].filter((p) => p.role === 'config').map((p) => String(p.id));
      add(at('decimalsFrom'), `no point has the id '${point.decimalsFrom}'`,
        configIds.length > 0 ? `name one of the config points: ${configIds.join(', ')}${didYouMean(point.decimalsFrom, configIds)}` : 'add a point with "role": "config" for the decimal-places register and name it here');
    } else if (source === point) {
      add(at('decimalsFrom'), 'a point cannot take its decimal places from itself', 'name the decimal-places config point');
    } else if (source.role !== 'config') {
      add(at('decimalsFrom'), `'${point.decimalsFrom}' is not a config point, so its value would be re-read on every poll`, `set "role": "config" on '${point.decimalsFrom}'`);
    }
    if (source !== undefined && source !== point && typeof source.decimalsFrom === 'string') {
      add(at('decimalsFrom'), `'${point.decimalsFrom}' itself takes decimal places from '${source.decimalsFrom}'; chains are not followed`, 'name the decimal-places register directly');
    }
    if (type === 'bool') add(at('decimalsFrom'), 'a bool has no decimal places', 'remove "decimalsFrom"');
  }
}

function checkMeterPoint(point: Json, protocol: string, at: At, add: Add): void {
  const di = point.di;
  if (typeof di !== 'string') return;
  const digits = protocol === 'dlt645-2007' ? 8 : 4;
  if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(di)) {
    const example = protocol === 'dlt645-2007' ? "'00010000' (forward active energy)" : protocol === 'dlt645-1997' ? "'9010' (forward active energy)" : "'901F' (water meter data)";
    add(at('di'), `'${di}' is not a ${protocol} data identifier: ${protocol} uses ${digits} hex digits`,
      `write ${digits} hex digits, most significant first, e.g. ${example}${protocol === 'dlt645-2007' && di.length === 4 ? '; 4-digit DIs are DL/T 645-1997: set "protocol": "dlt645-1997"' : ''}`);
  }
  const cjtFields = [...recordFieldNames(0x10), 'valve_open'];
  if (protocol === 'cjt188' && /^(901f|1f90)$/i.test(di)) {
    if (point.field === undefined) {
      add(at('field'), 'DI 901F returns a record of several values; the point must say which one', `add "field", one of ${cjtFields.join(', ')}`);
    } else if (typeof point.field === 'string' && !cjtFields.includes(point.field)) {
      add(at('field'), `'${point.field}' is not a field of the CJ/T 188 901F record`, `use one of ${cjtFields.join(', ')}${didYouMean(point.field, cjtFields)}`);
    }
  }
  if (protocol.startsWith('dlt645') && new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(di) && lookupDataId(di) === undefined) {
    add(at('di'), `DL/T 645 data identifier ${di} is not in Axon's DI table, so its BCD format is unknown`,
      'use a supported DI (see drivers/dlt645/data-ids.ts) or add the DI with its format there');
  }
}

function checkOverlaps(points: unknown[], add: Add): void {
  interface Span { index: number; point: Json; start: number; end: number }
  const spans: Span[] = [];
  points.forEach((point, index) => {
    if (!isObject(point) || !isInt(point.address) || ![1, 2, 3, 4].includes(point.fc as number)) return;
    const width = span(point);
    if (width !== undefined) spans.push({ index, point, start: point.address, end: point.address + width });
  });
  // One report per point, for the first earlier point it overlaps: a block of copied points would
  // otherwise give a report per pair (millions for a few thousand points, and minutes to build them).
  for (let j = 1; j < spans.length; j++) {
    const b = spans[j];
    for (let i = 0; i < j; i++) {
      const a = spans[i];
      if (a.point.fc !== b.point.fc || a.start >= b.end || b.start >= a.end) continue;
      const bitsOfOneRegister =
        a.point.fc !== 1 && a.point.fc !== 2 && a.start === b.start &&
        (a.point.type === 'bool' || a.point.type === 'bits') && (b.point.type === 'bool' || b.point.type === 'bits');
      if (bitsOfOneRegister) {
        const maskA = bitMask(a.point);
        const maskB = bitMask(b.point);
        if (maskA === undefined || maskB === undefined || (maskA & maskB) === 0) continue;
        add(['points', b.index, 'bit'], `bits of '${String(b.point.id)}' overlap bits of '${String(a.point.id)}' in register ${b.start}`, 'give each point its own bits of the register');
        break;
      }
      add(['points', b.index, 'address'],
        `'${String(b.point.id)}' (registers ${b.start}..${b.end - 1}) overlaps '${String(a.point.id)}' (registers ${a.start}..${a.end - 1}) on FC0${String(a.point.fc)}`,
        'check both addresses against the register map; only bool/bits points may share a register');
      break;
    }
  }
}


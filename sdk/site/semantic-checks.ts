/**
 * What the site schema cannot say: references between sections (rules →
 * devices → manifests → points, actions → outputs), uniqueness across the
 * file, addresses per protocol, and whether a device can talk on its bus at
 * all. Runs on the raw JSON next to the schema check, so every guard tolerates
 * missing or ill-typed fields (the schema reports those).
 *
 * Line settings: a device's manifest gives its FACTORY line settings, and
 * installers reconfigure devices to the bus's settings as a matter of course,
 * so a difference is a warning ("set the device to 9600 8N1"). Only
 * combinations no device of that protocol can use are errors: 7 data bits
 * (Modbus RTU, DL/T 645 and CJ/T 188 all send 8-bit bytes), and meters on an
 * odd-parity bus or at a baud rate the meter standards do not offer. DL/T 645
 * specifies 8E1; most meters also accept 8N1, which is what lets a meter share
 * a 9600 8N1 Modbus bus (the scheduler multiplexes both protocols on one port).
 */
import type { DeviceManifest, DevicePoint, ModbusPoint } from '../../drivers/devices/manifest.js';
import { isModbusPoint } from '../../drivers/devices/manifest.js';
import { normalizeDlt645Address, DLT645_BROADCAST_ADDRESS, DLT645_WILDCARD_ADDRESS } from '../../drivers/dlt645/frame.js';
import { normalizeCjt188Address, CJT188_WILDCARD_ADDRESS } from '../../drivers/cjt188/frame.js';
import { describeLine } from '../../drivers/scheduler/site-device.js';
import type { SerialLineSettings } from '../../drivers/ports/byte-stream.js';
import { LIMITS } from '../../drivers/batch/format.js';
import { formatJsonPath } from '../manifest/json-path.js';
import { didYouMean } from '../manifest/suggest.js';

export interface SemanticProblem {
  path: string;
  message: string;
  fix: string;
}

export interface SemanticFindings {
  problems: SemanticProblem[];
  warnings: SemanticProblem[];
}

type Json = Record<string, unknown>;
type Segments = Array<string | number>;
type Report = (segments: Segments, message: string, fix: string) => void;

/** Baud rates DL/T 645 and CJ/T 188 meters offer. */
const METER_BAUDS = [300, 600, 1200, 2400, 4800, 9600, 19200];
const STANDARD_BAUDS = [300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

interface DeviceEntry {
  json: Json;
  at: Segments;
  bus: Json;
  /** The manifest with the site's disabled points removed; undefined when the manifest is unknown. */
  manifest: DeviceManifest | undefined;
  disabled: Set<string>;
}

/** Reports a value seen twice: `seen` maps the value to the path of its first use. */
function checkUnique(seen: Map<string, Segments>, key: string | undefined, at: Segments, what: string, error: Report): void {
  if (key === undefined) return;
  const first = seen.get(key);
  if (first === undefined) seen.set(key, at);
  else error(at, `${what} '${key}' is already used at ${formatJsonPath(first)}`, `give every ${what} a unique value`);
}

export function semanticFindings(site: unknown, manifests: ReadonlyMap<string, DeviceManifest>): SemanticFindings {
  const problems: SemanticProblem[] = [];
  const warnings: SemanticProblem[] = [];
  const error: Report = (segments, message, fix) => problems.push({ path: formatJsonPath(segments), message, fix });
  const warn: Report = (segments, message, fix) => warnings.push({ path: formatJsonPath(segments), message, fix });
  if (!isObject(site)) return { problems, warnings };

  const devices = new Map<string, DeviceEntry>();
  checkBuses(site, manifests, devices, error, warn);
  checkChannelCount(devices, error);
  const outputs = checkOutputs(site, error);
  checkRules(site, devices, outputs, error, warn);
  return { problems, warnings };
}

function checkBuses(site: Json, manifests: ReadonlyMap<string, DeviceManifest>, devices: Map<string, DeviceEntry>, error: Report, warn: Report): void {
  const busIds = new Map<string, Segments>();
  const ports = new Map<string, Segments>();
  const deviceIds = new Map<string, Segments>();
  array(site.buses).forEach((bus, b) => {
    if (!isObject(bus)) return;
    checkUnique(busIds, text(bus.id), ['buses', b, 'id'], 'bus id', error);
    const port = text(bus.port);
    const firstUse = port === undefined ? undefined : ports.get(port);
    if (port !== undefined && firstUse !== undefined) {
      error(['buses', b, 'port'], `port ${port} is already the port of ${formatJsonPath(firstUse.slice(0, 2))}`,
        'put all devices on one port into one bus: the gateway runs exactly one scheduler per port so requests never collide');
    } else if (port !== undefined) ports.set(port, ['buses', b]);
    if (typeof bus.baud === 'number' && !STANDARD_BAUDS.includes(bus.baud)) {
      warn(['buses', b, 'baud'], `${bus.baud} is not a standard baud rate`, `use one of ${STANDARD_BAUDS.join(', ')} unless every device on the bus is set to ${bus.baud}`);
    }
    if (bus.dataBits === 7 && array(bus.devices).length > 0) {
      error(['buses', b, 'dataBits'], 'Modbus RTU, DL/T 645 and CJ/T 188 all send 8 data bits; no device on this bus can talk at 7', 'remove "dataBits" (default 8) or set it to 8');
    }
    const units = new Map<string, Segments>();
    array(bus.devices).forEach((device, d) => {
      if (!isObject(device)) return;
      const at: Segments = ['buses', b, 'devices', d];
      checkUnique(deviceIds, text(device.id), [...at, 'id'], 'device id', error);
      const manifest = lookupManifest(device, at, manifests, error);
      const disabled = checkPointOverrides(device, manifest, at, error);
      const entry: DeviceEntry = { json: device, at, bus, manifest, disabled };
      if (typeof device.id === 'string' && !devices.has(device.id)) devices.set(device.id, entry);
      if (manifest === undefined) return;
      const unit = checkAddress(device, manifest, at, error);
      if (unit !== undefined) checkUnique(units, unit, [...at, 'address'], manifest.protocol === 'modbus' ? 'Modbus unit id on this bus' : 'meter address on this bus', error);
      checkLine(bus, manifest, at, b, String(device.id), error, warn);
      checkAdaptive(entry, error, warn);
    });
  });
}

/** The uplink numbers channels (one per measured point of each device) below LIMITS.channels. */
function checkChannelCount(devices: Map<string, DeviceEntry>, error: Report): void {
  let channels = 0;
  for (const entry of devices.values()) {
    channels += (entry.manifest?.points ?? []).filter((p) => p.role !== 'config' && !entry.disabled.has(p.id)).length;
  }
  if (channels <= LIMITS.channels) return;
  error(['buses'], `the site has ${channels.toLocaleString('en')} uplink channels (one per measured point of each device); the uplink format numbers at most ${LIMITS.channels.toLocaleString('en')}`,
    `split the devices over several gateways, one site file each with at most ${LIMITS.channels.toLocaleString('en')} channels, or disable points the platform does not need ("points": {"<point id>": {"disabled": true}})`);
}

function lookupManifest(device: Json, at: Segments, manifests: ReadonlyMap<string, DeviceManifest>, error: Report): DeviceManifest | undefined {
  const id = text(device.manifest);
  if (id === undefined) return undefined;
  const manifest = manifests.get(id);
  if (manifest === undefined) {
    const hint = didYouMean(id, [...manifests.keys()]);
    error([...at, 'manifest'], `no device manifest '${id}' in manifests/devices`, hint ? `use the manifest id${hint}` : `use one of ${[...manifests.keys()].join(', ')}, or add manifests/devices/${id}.json`);
  }
  return manifest;
}

/** Returns the ids of disabled points. */
function checkPointOverrides(device: Json, manifest: DeviceManifest | undefined, at: Segments, error: Report): Set<string> {
  const disabled = new Set<string>();
  if (!isObject(device.points) || manifest === undefined) return disabled;
  const ids = manifest.points.map((p) => p.id);
  for (const [id, override] of Object.entries(device.points)) {
    const where = [...at, 'points', id];
    if (!ids.includes(id)) {
      error(where, `manifest '${manifest.id}' has no point '${id}'`, `use a point id of the manifest${didYouMean(id, ids) || `: ${ids.join(', ')}`}`);
      continue;
    }
    if (!isObject(override)) continue;
    if (typeof override.min === 'number' && typeof override.max === 'number' && override.min > override.max) {
      error([...where, 'min'], `min ${override.min} is greater than max ${override.max}`, 'swap min and max');
    }
    if (override.disabled === true) disabled.add(id);
  }
  for (const point of manifest.points) {
    if (isModbusPoint(point) && point.decimalsFrom !== undefined && disabled.has(point.decimalsFrom) && !disabled.has(point.id)) {
      error([...at, 'points', point.decimalsFrom, 'disabled'], `'${point.id}' takes its decimal places from '${point.decimalsFrom}', which cannot be disabled while '${point.id}' is read`,
        `remove "disabled": true, or disable '${point.id}' too`);
    }
  }
  return disabled;
}

/** Checks the address for the device's protocol; returns its normalised form for the per-bus uniqueness check. */
function checkAddress(device: Json, manifest: DeviceManifest, at: Segments, error: Report): string | undefined {
  const address = device.address;
  const where = [...at, 'address'];
  if (manifest.protocol === 'modbus') {
    if (typeof address === 'string' && /^\d+$/.test(address.trim())) {
      error(where, `unit id ${JSON.stringify(address)} is text`, `write the number without quotes: ${address.trim()}`);
      return undefined;
    }
    if (typeof address !== 'number' || !Number.isInteger(address) || address < 1 || address > 247) {
      error(where, `${JSON.stringify(address)} is not a Modbus unit id`, 'use a unit id from 1 to 247 (0 is broadcast; 248–255 are reserved)');
      return undefined;
    }
    return String(address);
  }
  const meter = manifest.protocol === 'cjt188' ? 'CJ/T 188' : 'DL/T 645';
  const digits = manifest.protocol === 'cjt188' ? 14 : 12;
  if (typeof address === 'number') {
    error(where, `meter address ${address} is a number`, `write the address as printed on the nameplate, as a string of up to ${digits} digits: "${String(address).padStart(digits, '0')}" (leading zeros are lost in a number)`);
    return undefined;
  }
  if (typeof address !== 'string') return undefined;
  let normalized: string;
  try {
    normalized = manifest.protocol === 'cjt188' ? normalizeCjt188Address(address) : normalizeDlt645Address(address);
  } catch (failure) {
    error(where, `${JSON.stringify(address)} is not a ${meter} address: ${(failure as Error).message.split(' (at')[0]}`, `use up to ${digits} decimal digits as printed on the meter's nameplate`);
    return undefined;
  }
  if (normalized === DLT645_WILDCARD_ADDRESS || normalized === DLT645_BROADCAST_ADDRESS || normalized === CJT188_WILDCARD_ADDRESS) {
    error(where, `${address} is the ${meter} wildcard/broadcast address, which every meter answers (or none)`, 'read the meter\'s own address with `axon dlt645 read-address` and put it here');
    return undefined;
  }
  return normalized;
}

function checkLine(bus: Json, manifest: DeviceManifest, at: Segments, b: number, deviceId: string, error: Report, warn: Report): void {
  const baud = bus.baud;
  const parity = bus.parity;
  if (typeof baud !== 'number' || (parity !== 'none' && parity !== 'even' && parity !== 'odd')) return;
  const meter = manifest.protocol !== 'modbus';
  const name = manifest.protocol === 'cjt188' ? 'CJ/T 188' : 'DL/T 645';
  if (meter && parity === 'odd') {
    error(['buses', b, 'parity'], `${name} meter '${deviceId}' cannot use odd parity: the standard specifies even parity (8E1) and many meters also accept none (8N1), none accepts odd`,
      `set the bus to "even" (move the Modbus devices to 8E1 too) or "none" if the meter accepts it, or put the meter on a bus of its own`);
    return;
  }
  if (meter && !METER_BAUDS.includes(baud)) {
    error(['buses', b, 'baud'], `${name} meter '${deviceId}' cannot run at ${baud} baud: meters offer ${METER_BAUDS.join('/')}`, `run this bus at 19200 baud or less (9600 is the common meter setting), or put the meter on a bus of its own`);
    return;
  }
  const factory = { baud: manifest.line.baud, dataBits: manifest.line.dataBits ?? 8, parity: manifest.line.parity, stopBits: manifest.line.stopBits };
  const here: SerialLineSettings = { baud, dataBits: bus.dataBits === 7 ? 7 : 8, parity, stopBits: bus.stopBits === 2 ? 2 : 1 };
  if (describeLine(factory) !== describeLine(here)) {
    const note = meter && here.parity === 'none' ? `; ${name} specifies 8E1, so check that this meter accepts no parity (most do)` : '';
    warn([...at, 'manifest'], `'${manifest.id}' leaves the factory at ${describeLine(factory)}, the bus runs ${describeLine(here)}${note}`,
      `set the device's communication parameters to ${describeLine(here)} before installing it (the scheduler multiplexes Modbus and meter protocols on one port, but all must share its line settings)`);
  }
}

function pointIds(entry: DeviceEntry): string[] {
  return (entry.manifest?.points ?? []).map((p) => p.id).filter((id) => !entry.disabled.has(id));
}

/** Reports an unknown or disabled point of a device; returns the point when usable. */
function checkPointRef(entry: DeviceEntry, id: unknown, where: Segments, error: Report): DevicePoint | undefined {
  if (typeof id !== 'string' || entry.manifest === undefined) return undefined;
  const point = entry.manifest.points.find((p) => p.id === id);
  const device = String(entry.json.id);
  if (point === undefined) {
    const ids = pointIds(entry);
    error(where, `device '${device}' (manifest '${entry.manifest.id}') has no point '${id}'`, `use one of its points${didYouMean(id, ids) || `: ${ids.join(', ')}`}`);
    return undefined;
  }
  if (entry.disabled.has(id)) {
    error(where, `point '${id}' of device '${device}' is disabled in this site file`, `remove "disabled": true from ${formatJsonPath([...entry.at, 'points', id])} or use another point`);
    return undefined;
  }
  return point;
}

function isBoolPoint(point: DevicePoint): boolean {
  return isModbusPoint(point) && (point as ModbusPoint).type === 'bool';
}

function checkAdaptive(entry: DeviceEntry, error: Report, warn: Report): void {
  const adaptive = entry.json.adaptive;
  if (!isObject(adaptive) || entry.manifest === undefined) return;
  checkPointRef(entry, adaptive.point, [...entry.at, 'adaptive', 'point'], error);
  const normal = typeof entry.json.pollPeriodS === 'number' ? entry.json.pollPeriodS : entry.manifest.pollPeriodS;
  if (typeof adaptive.pollPeriodS === 'number' && adaptive.pollPeriodS >= normal) {
    warn([...entry.at, 'adaptive', 'pollPeriodS'], `the adaptive period ${adaptive.pollPeriodS} s is not shorter than the normal period ${normal} s`,
      'adaptive polling is for polling faster while the condition holds: use a shorter period, or remove "adaptive"');
  }
}

function checkOutputs(site: Json, error: Report): Set<string> {
  const ids = new Map<string, Segments>();
  const pins = new Map<string, Segments>();
  array(site.outputs).forEach((output, o) => {
    if (!isObject(output)) return;
    checkUnique(ids, text(output.id), ['outputs', o, 'id'], 'output id', error);
    if (output.pin !== undefined) checkUnique(pins, String(output.pin), ['outputs', o, 'pin'], 'output pin', error);
  });
  return new Set(ids.keys());
}

function checkRules(site: Json, devices: Map<string, DeviceEntry>, outputs: Set<string>, error: Report, warn: Report): void {
  const ids = new Map<string, Segments>();
  array(site.rules).forEach((rule, r) => {
    if (!isObject(rule)) return;
    const at: Segments = ['rules', r];
    checkUnique(ids, text(rule.id), [...at, 'id'], 'rule id', error);
    const deviceId = text(rule.device);
    const entry = deviceId === undefined ? undefined : devices.get(deviceId);
    if (deviceId !== undefined && entry === undefined) {
      const known = [...devices.keys()];
      error([...at, 'device'], `no device '${deviceId}' on any bus`, `use a device id from buses[].devices${didYouMean(deviceId, known) || `: ${known.join(', ')}`}`);
    }
    checkAction(rule, at, outputs, error, warn);
    if (entry === undefined || rule.kind === 'offline') return;
    const point = checkPointRef(entry, rule.point, [...at, 'point'], error);
    if (point === undefined) return;
    if (rule.kind === 'boolean' && !isBoolPoint(point)) {
      error([...at, 'point'], `a boolean rule needs an on/off point; '${point.id}' is a number`, 'use a threshold rule for numeric points');
    }
    if ((rule.kind === 'threshold' || rule.kind === 'rate-of-rise') && isBoolPoint(point)) {
      error([...at, 'kind'], `'${point.id}' is an on/off point; a ${String(rule.kind)} rule compares numbers`, 'use "kind": "boolean" for alarm bits');
    }
    if (rule.kind === 'threshold') checkLevels(rule, point, at, error, warn);
  });
}

function checkAction(rule: Json, at: Segments, outputs: Set<string>, error: Report, warn: Report): void {
  const action = rule.action;
  if (!isObject(action)) return;
  const output = text(action.output);
  if (output !== undefined && !outputs.has(output)) {
    error([...at, 'action', 'output'], `no output '${output}' in outputs`, outputs.size > 0 ? `use one of ${[...outputs].join(', ')}${didYouMean(output, [...outputs])}` : 'declare it in "outputs" (relay, buzzer or led)');
  }
  if (action.mode === 'pulse' && action.pulseMs === undefined) warn([...at, 'action'], 'a pulse action without "pulseMs"', 'add "pulseMs": the pulse length in ms');
  if (action.mode !== 'pulse' && action.pulseMs !== undefined) warn([...at, 'action', 'pulseMs'], '"pulseMs" has no effect unless "mode" is "pulse"', 'add "mode": "pulse" or remove "pulseMs"');
}

/** Critical must be the more extreme threshold of each direction; thresholds outside the plausible range never fire. */
function checkLevels(rule: Json, point: DevicePoint, at: Segments, error: Report, warn: Report): void {
  const levels = array(rule.levels).filter(isObject);
  for (const direction of ['above', 'below'] as const) {
    const value = (level: string) => levels.find((l) => l.level === level && typeof l[direction] === 'number')?.[direction] as number | undefined;
    const warning = value('warning');
    const critical = value('critical');
    if (warning !== undefined && critical !== undefined && (direction === 'above' ? critical < warning : critical > warning)) {
      error([...at, 'levels'], `the critical threshold (${direction} ${critical}) is less extreme than the warning threshold (${direction} ${warning})`,
        `swap them: the critical level must be ${direction === 'above' ? 'higher' : 'lower'} than the warning level`);
    }
  }
  array(rule.levels).forEach((level, i) => {
    if (!isObject(level)) return;
    for (const direction of ['above', 'below'] as const) {
      const threshold = level[direction];
      if (typeof threshold !== 'number') continue;
      if ((point.max !== undefined && threshold > point.max) || (point.min !== undefined && threshold < point.min)) {
        warn([...at, 'levels', i, direction], `${threshold} is outside '${point.id}''s plausible range ${point.min ?? '−∞'}..${point.max ?? '+∞'}${point.unit ? ' ' + point.unit : ''}: the rule can never fire`,
          'check the threshold and its unit');
      }
    }
  });
}

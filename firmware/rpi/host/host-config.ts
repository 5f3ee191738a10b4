/**
 * The Raspberry Pi host config: what one gateway needs besides its site file
 * (bus devices, GPIO wiring, uplink credentials, the modem). Validated like
 * site files: JSON Schema (host-config.schema.json) for the shape, then checks
 * against the site (every bus reachable, every output wired, an uplink this
 * host can drive), each problem with file, JSON path and fix.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { AxonError } from '../../../drivers/errors.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { findJsonSyntaxError, positionOf } from '../../../sdk/manifest/json-path.js';
import { nestingProblem } from '../../../sdk/manifest/json-nesting.js';
import { ProblemListError, type ManifestProblem } from '../../../sdk/manifest/manifest-error.js';
import { problemFromSchemaError, type SchemaNode } from '../../../sdk/site/schema-problems.js';
import { parseDownlinkKeyFile } from '../mqtt/signed-downlink.js';
import type { LorawanKeysConfig } from './host-lorawan.js';
import { firmataProblems, type FirmataBoardConfig } from './host-firmata.js';
import { outputWiringErrors } from './host-outputs.js';
import { lorawanHostProblems, radioSchemaErrors } from './host-lorawan-check.js';
import type { SpiRadioConfig } from './host-radio.js';
import { rui3Problems } from './rui3-config.js';

export type HostProblem = ManifestProblem;

export interface HostConfig {
  gatewayId?: string;
  buses?: Record<string, { port: string; reopenMs?: number }>;
  /** `line` (and `chip`): the GPIO character device through libgpiod; `gpio`: the sysfs fallback; `board` and `pin`: a Firmata board's pin. */
  outputs?: Record<string, { line?: number; chip?: string; gpio?: number; board?: string; pin?: number; activeLow?: boolean }>;
  gpioRoot?: string;
  /** Firmata I/O boards by id (host-firmata.ts). */
  firmata?: Record<string, FirmataBoardConfig>;
  mqtt?: { url?: string; username?: string; password?: string; passwordFile?: string; caFile?: string; certFile?: string; keyFile?: string; topicPrefix?: string; downlinkKeyFile?: string; format?: 'binary' | 'json' };
  modem?: {
    port: string;
    baud?: number;
    attach?: 'manual' | 'auto';
    attachDeadlineMs?: number;
    ackTimeoutMs?: number;
    attempts?: number;
    mqtt?: { clientId: string; topic: string; downlinkTopic?: string; username?: string; password?: string };
  };
  /** The status page (status/status-config.ts); false: off. */
  status?: false | { listen?: string; token?: string };
  gateway?: { flushEveryMs?: number; statusEveryMs?: number; storeCapacityBytes?: number };
  /** The LoRa radio (site uplink kind lorawan): an SPI transceiver the gateway's own MAC drives, or a RUI3 module that runs its own. */
  radio?: SpiRadioConfig | Rui3RadioConfig;
  /** LoRaWAN identity and keys. */
  lorawan?: LorawanKeysConfig;
}

/** A RAK RUI3 LoRaWAN module on a serial port (docs/rui3.md). */
export interface Rui3RadioConfig {
  type: 'rui3';
  port: string;
  baud?: number;
  devEui?: string;
  joinEui?: string;
  appKey?: string;
  appKeyFile?: string;
  joinAttempts?: number;
  sendTimeoutMs?: number;
}

export class HostConfigError extends ProblemListError<HostProblem> {
  constructor(problems: readonly HostProblem[]) {
    super('HOST_CONFIG_INVALID', (files) => `host config ${files} cannot run this site`, problems,
      'correct each point above (docs/rpi-gateway.md describes every field)');
  }
}

export const HOST_SCHEMA_PATH = fileURLToPath(new URL('./host-config.schema.json', import.meta.url));
let compiled: { validate: ValidateFunction; schema: SchemaNode } | undefined;

function hostSchema(): { validate: ValidateFunction; schema: SchemaNode } {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(HOST_SCHEMA_PATH, 'utf8')) as SchemaNode;
    compiled = { validate: new Ajv({ allErrors: true, verbose: true, strictTypes: false }).compile(schema), schema };
  }
  return compiled;
}

/** Read and validate a host config file against `site`. Without a file, the empty config (everything from the site). */
export function loadHostConfig(file: string | undefined, site: SiteFile): HostConfig {
  if (file === undefined) {
    const problems = siteProblems({}, site, '(no --config)');
    if (problems.length > 0) throw new HostConfigError(problems);
    return {};
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new HostConfigError([{ file, path: '$', message: `cannot read the file: ${(error as Error).message}`, fix: 'check the path and file permissions' }]);
  }
  const tooDeep = nestingProblem(text, file, 'host config');
  if (tooDeep !== undefined) throw new HostConfigError([tooDeep]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const where = findJsonSyntaxError(text) ?? { ...positionOf(text, text.length), message: (error as Error).message };
    throw new HostConfigError([{ file, path: '$', line: where.line, column: where.column, message: `invalid JSON: ${where.message}`, fix: 'correct the JSON syntax at that line and column' }]);
  }
  const { validate, schema } = hostSchema();
  const problems: HostProblem[] = [];
  if (!validate(json)) {
    const wiring = outputWiringErrors(validate.errors ?? [], json, file);
    problems.push(...wiring.problems);
    for (const error of radioSchemaErrors(wiring.rest, json, schema)) {
      const problem = problemFromSchemaError(error, json, schema);
      if (problem !== undefined) problems.push({ file, ...problem });
    }
  }
  if (problems.length === 0) problems.push(...siteProblems(json as HostConfig, site, file));
  if (problems.length > 0) throw new HostConfigError(problems);
  return json as HostConfig;
}

/** What `config` lacks to run `site` on this host. */
function siteProblems(config: HostConfig, site: SiteFile, file: string): HostProblem[] {
  const problems: HostProblem[] = [];
  const add = (path: string, message: string, fix: string) => problems.push({ file, path, message, fix });
  for (const bus of site.buses) {
    const port = config.buses?.[bus.id]?.port ?? bus.port;
    if (port.startsWith('sim:')) {
      add(`$.buses["${bus.id}"]`, `site bus '${bus.id}' is simulated (${bus.port}) and this config gives no real port for it`, `add "buses": { "${bus.id}": { "port": "/dev/serial/by-id/…" } } (npm start runs simulated sites)`);
    }
  }
  for (const id of Object.keys(config.buses ?? {})) {
    if (!site.buses.some((bus) => bus.id === id)) add(`$.buses["${id}"]`, `the site ${site.id} has no bus '${id}'`, `use one of ${site.buses.map((b) => b.id).join(', ')}, or remove the entry`);
  }
  for (const output of site.outputs ?? []) {
    const wired = config.outputs?.[output.id] !== undefined || typeof output.pin === 'number';
    if (!wired) add(`$.outputs["${output.id}"]`, `site output '${output.id}' (${output.kind}) has no GPIO`, `add "outputs": { "${output.id}": { "line": <BCM number> } }: an alarm output that drives nothing is worse than an error at start`);
  }
  for (const id of Object.keys(config.outputs ?? {})) {
    if (!(site.outputs ?? []).some((o) => o.id === id)) add(`$.outputs["${id}"]`, `the site ${site.id} has no output '${id}'`, 'remove the entry, or add the output to the site file');
  }
  problems.push(...firmataProblems(config, site, file));
  const uplink = site.uplink;
  if (uplink.kind === 'lorawan') {
    for (const problem of lorawanHostProblems(config, site)) add(problem.path, problem.message, problem.fix);
    if (config.radio?.type === 'rui3') problems.push(...rui3Problems(config.radio, uplink.activation, file));
  } else if (uplink.kind === 'nbiot') {
    if (config.modem === undefined) add('$.modem', 'the site sends over NB-IoT and this config names no modem', 'add "modem": { "port": "/dev/ttyAMA0" } (the BC28/BC95 module\'s serial port)');
    if (uplink.host === undefined) add('$', "the site's NB-IoT uplink has no host", 'set uplink.host (and uplink.port) in the site file');
    if (uplink.transport === 'mqtt' && config.modem?.mqtt === undefined) add('$.modem.mqtt', 'the site uses the modem\'s MQTT client and this config gives no client settings', 'add "mqtt": { "clientId": …, "topic": … } under "modem"');
  } else if (uplink.kind === 'none') {
    add('$', 'the site has no uplink (kind none)', 'give the site an mqtt or nbiot uplink: a gateway that cannot report loses its readings once the log is full');
  }
  if (config.mqtt?.password !== undefined && config.mqtt.passwordFile !== undefined) add('$.mqtt', 'both password and passwordFile are given', 'keep one of them');
  const keyFile = config.mqtt?.downlinkKeyFile === undefined ? undefined : parseDownlinkKeyFile(config.mqtt.downlinkKeyFile);
  if (keyFile !== undefined && 'problem' in keyFile) add('$.mqtt.downlinkKeyFile', keyFile.problem, keyFile.fix);
  return problems;
}

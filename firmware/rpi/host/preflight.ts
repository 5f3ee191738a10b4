/**
 * The one verdict `axon gateway check` prints and `axon gateway run` obeys:
 * can this site, with this host config and data directory, run on this
 * machine? Refusals stop both commands; warnings are printed by both and
 * stop neither. Each names the file, the JSON path and a fix.
 *
 * Nothing here writes: check runs on a live system (before a restart, while
 * the gateway runs), so files are read, never created.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { AxonError } from '../../../drivers/errors.js';
import { GATEWAY_DEFAULTS } from '../../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { redactCredentials } from '../mqtt/redact-credentials.js';
import { noSysfsGpioFix } from '../ports/sysfs-gpio-output.js';
import { busPortOf, parseBusPort, type BusLink } from './bus-port.js';
import { gatewayConstructionError } from './gateway-dry-run.js';
import { HostConfigError, loadHostConfig, type HostConfig, type HostProblem } from './host-config.js';
import { readSecret } from './host-uplink.js';
import { rui3AppKey } from './rui3-config.js';
import { brokerUrlOf, secretWarnings } from './secret-checks.js';
import { radioMachineChecks } from './host-lorawan-check.js';
import { loadSpiDevice } from '../ports/spidev.js';
import { statusProblems } from './status/status-config.js';

export interface PreflightInputs {
  site: SiteFile;
  /** The site file's path, for messages. */
  siteFile: string;
  manifests: ReadonlyMap<string, DeviceManifest>;
  /** The host config's path; undefined runs the site as it is. */
  configFile: string | undefined;
  dataDir: string;
}

export interface Preflight {
  /** The validated host config; undefined when the file itself is refused. */
  config: HostConfig | undefined;
  refusals: HostProblem[];
  warnings: HostProblem[];
}

/** Where a problem points: the file and JSON path it is about, and how to say it. */
type Report = (path: string, message: string, fix: string) => void;

export const DEFAULT_GPIO_ROOT = '/sys/class/gpio';

/** Every refusal and warning for these inputs (never throws for a problem of the inputs). */
export function preflight(inputs: PreflightInputs): Preflight {
  const configFile = inputs.configFile ?? '(no --config)';
  let config: HostConfig;
  try {
    config = loadHostConfig(inputs.configFile, inputs.site);
  } catch (error) {
    if (error instanceof HostConfigError) return { config: undefined, refusals: redacted([...error.problems]), warnings: [] };
    throw error;
  }
  const refusals: HostProblem[] = [];
  const warnings: HostProblem[] = [];
  const toConfig = (into: HostProblem[]): Report => (p, message, fix) => into.push({ file: configFile, path: p, message, fix });
  const toSite = (into: HostProblem[]): Report => (p, message, fix) => into.push({ file: inputs.siteFile, path: p, message, fix });
  const sink = { refuse: toConfig(refusals), warn: toConfig(warnings), refuseSite: toSite(refusals), warnSite: toSite(warnings) };

  checkBuses(inputs.site, config, sink);
  checkGpio(inputs.site, config, sink.refuse);
  checkUplinkFiles(inputs.site, config, sink.refuse, sink.refuseSite);
  radioMachineChecks(config, inputs.site, { loadSpi: loadSpiDevice, exists: existsSync, readSecret }, sink.refuse, sink.warn);
  refusals.push(...statusProblems(config, configFile));
  checkDataDirectory(inputs.dataDir, (dir, message, fix) => refusals.push({ file: '--data', path: dir, message, fix }));
  warnings.push(...secretWarnings(inputs.site, config, { siteFile: inputs.siteFile, configFile }));
  // Last, and only on inputs that passed the rest: the core's own constructor on in-memory ports.
  if (refusals.length === 0) checkConstruction(inputs, config, sink);
  return { config, refusals: redacted(refusals), warnings: redacted(warnings) };
}

/** The host config when the inputs can run; else HostConfigError listing every refusal. */
export function runnableConfig(checked: Preflight): HostConfig {
  if (checked.config === undefined || checked.refusals.length > 0) throw new HostConfigError(checked.refusals);
  return checked.config;
}

/** A value in a problem may be a broker URL with a password in it (a schema message quotes the value). */
function redacted(problems: HostProblem[]): HostProblem[] {
  return problems.map((p) => ({ ...p, message: redactCredentials(p.message), fix: redactCredentials(p.fix) }));
}

/** The text of an AxonError without its "(at …) Fix: …" tail: the problem list says where and how to fix itself. */
function bareMessage(error: Error): string {
  if (!(error instanceof AxonError)) return error.message;
  let text = error.message;
  if (error.fix !== undefined) text = text.slice(0, -` Fix: ${error.fix}`.length);
  if (error.where !== undefined) text = text.slice(0, -` (at ${error.where})`.length);
  return text;
}

interface Sink {
  refuse: Report;
  warn: Report;
  refuseSite: Report;
  warnSite: Report;
}

/** Ports parse, no two links share one, and a serial device that is not there yet is worth a warning. */
function checkBuses(site: SiteFile, config: HostConfig, sink: Sink): void {
  const users = new Map<string, Array<{ name: string; fromConfig: boolean }>>();
  const use = (identity: string, name: string, fromConfig: boolean) => users.set(identity, [...(users.get(identity) ?? []), { name, fromConfig }]);
  site.buses.forEach((bus, index) => {
    const { port, fromConfig } = busPortOf(bus, config);
    const jsonPath = fromConfig ? `$.buses["${bus.id}"].port` : `$.buses[${index}].port`;
    const [refuse, warn] = fromConfig ? [sink.refuse, sink.warn] : [sink.refuseSite, sink.warnSite];
    let link: BusLink;
    try {
      link = parseBusPort(port, bus.id);
    } catch (error) {
      refuse(jsonPath, bareMessage(error as Error), (error as AxonError).fix ?? 'correct the port');
      return;
    }
    if (link.kind === 'serial' && !existsSync(link.path)) {
      warn(jsonPath, `bus ${bus.id}: serial port ${link.path} does not exist (yet); the gateway starts anyway and opens it when it appears`, 'plug in the USB–RS-485 adapter, or correct the path (`ls /dev/serial/by-id` lists the adapters present)');
    }
    use(linkIdentity(link), `bus ${bus.id}`, fromConfig);
  });
  if (site.uplink.kind === 'nbiot' && config.modem !== undefined) {
    const modem = config.modem.port;
    if (!existsSync(modem)) sink.warn('$.modem.port', `the modem's serial port ${modem} does not exist (yet); the gateway starts anyway and opens it when it appears`, 'connect the modem, or correct the path');
    use(linkIdentity({ kind: 'serial', path: modem }), 'the modem', true);
  }
  if (site.uplink.kind === 'lorawan' && config.radio?.type === 'rui3') {
    const port = config.radio.port;
    if (!existsSync(port)) sink.warn('$.radio.port', `the radio module's serial port ${port} does not exist (yet); the gateway starts anyway and opens it when it appears`, 'connect the module, or correct the path');
    use(linkIdentity({ kind: 'serial', path: port }), 'the radio module', true);
  }
  for (const [id, board] of Object.entries(config.firmata ?? {})) {
    // Run opens the board at start and stops without it: a refusal, not a warning.
    if (!existsSync(board.port)) sink.refuse(`$.firmata["${id}"].port`, `Firmata board ${id}: serial port ${board.port} does not exist, and the gateway does not start without its relay board`, 'plug in the board\'s USB cable, or correct the path (`ls /dev/serial/by-id` lists the boards present)');
    use(linkIdentity({ kind: 'serial', path: board.port }), `Firmata board ${id}`, true);
  }
  for (const [identity, sharing] of users) {
    if (sharing.length < 2) continue;
    const refuse = sharing.some((user) => user.fromConfig) ? sink.refuse : sink.refuseSite;
    refuse('$.buses', `${sharing.map((user) => user.name).join(' and ')} are mapped to the same port ${identity}: one line cannot carry two schedulers' traffic (their requests would collide, and a serial port opens once)`, 'give each bus its own port in "buses" (a site with several RS-485 lines needs one adapter per line; devices on one line belong to one bus in the site file)');
  }
}

/** One name per physical link: a by-id symlink and the tty it points to are the same port. */
function linkIdentity(link: BusLink): string {
  if (link.kind === 'tcp') return `tcp://${link.host.toLowerCase()}:${link.port}`;
  if (link.kind === 'sim') return `sim:${link.name}`;
  try {
    return realpathSync(link.path);
  } catch {
    return path.resolve(link.path);
  }
}

/** The sysfs GPIO tree is there, and each output's line is exported or can be. */
function checkGpio(site: SiteFile, config: HostConfig, refuse: Report): void {
  // Outputs on a character-device line (libgpiod) or a Firmata board need no sysfs; only the sysfs fallback is checked here.
  const outputs = (site.outputs ?? []).filter((output) => config.outputs?.[output.id]?.line === undefined && config.outputs?.[output.id]?.board === undefined);
  if (outputs.length === 0) return;
  const root = config.gpioRoot ?? DEFAULT_GPIO_ROOT;
  if (!isDirectory(root)) {
    refuse(config.gpioRoot === undefined ? '$' : '$.gpioRoot', `there is no sysfs GPIO directory at ${root}, so the outputs ${outputs.map((o) => o.id).join(', ')} cannot be driven`, noSysfsGpioFix(root, config.gpioRoot !== undefined));
    return;
  }
  const chips = gpioChips(root);
  for (const output of outputs) {
    const gpio = config.outputs?.[output.id]?.gpio ?? Number(output.pin);
    const jsonPath = config.outputs?.[output.id] === undefined ? '$' : `$.outputs["${output.id}"].gpio`;
    if (existsSync(path.join(root, `gpio${gpio}`))) continue; // exported already (by udev, a previous run, the installer)
    if (!existsSync(path.join(root, 'export'))) {
      refuse(jsonPath, `output ${output.id}: GPIO ${gpio} is not exported and ${root} has no export file`, noSysfsGpioFix(root, config.gpioRoot !== undefined));
    } else if (chips.length > 0 && !chips.some((c) => gpio >= c.base && gpio < c.base + c.count)) {
      const ranges = chips.map((c) => `${c.base}-${c.base + c.count - 1}`).join(', ');
      refuse(jsonPath, `output ${output.id}: GPIO ${gpio} is on none of this machine's GPIO chips (${ranges})`, `sysfs numbers a line as its chip's base + its offset: on recent Raspberry Pi OS kernels BCM 17 is ${(chips[0]?.base ?? 0) + 17} (the chips' bases: \`cat ${root}/gpiochip*/base\`)`);
    }
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** The GPIO chips sysfs lists (`gpiochip<base>/base`, `ngpio`); none in a test's own tree. */
function gpioChips(root: string): Array<{ base: number; count: number }> {
  const chips: Array<{ base: number; count: number }> = [];
  for (const entry of readdirSync(root)) {
    if (!/^gpiochip\d+$/.test(entry)) continue;
    try {
      const base = Number(readFileSync(path.join(root, entry, 'base'), 'utf8').trim());
      const count = Number(readFileSync(path.join(root, entry, 'ngpio'), 'utf8').trim());
      if (Number.isInteger(base) && Number.isInteger(count)) chips.push({ base, count });
    } catch {
      // A chip directory without the usual files says nothing about the ranges.
    }
  }
  return chips;
}

/** The uplink's URL parses, and every file run reads at start (password, CA, certificate, key) can be read now. */
function checkUplinkFiles(site: SiteFile, config: HostConfig, refuse: Report, refuseSite: Report): void {
  if (site.uplink.kind === 'lorawan' && config.radio?.type === 'rui3') {
    const radio = config.radio;
    try {
      const key = rui3AppKey(radio, readSecret);
      if (key !== undefined && !/^[0-9A-Fa-f]{32}$/.test(key)) refuse('$.radio.appKeyFile', `the AppKey in ${radio.appKeyFile ?? 'appKey'} is not 32 hex digits`, 'write the key as 32 hex digits, nothing else');
    } catch (error) {
      refuse('$.radio.appKeyFile', bareMessage(error as Error), `${(error as AxonError).fix ?? 'check the path'} (the gateway reads it at every start)`);
    }
  }
  if (site.uplink.kind !== 'mqtt') return;
  const broker = brokerUrlOf(site, config);
  const bad = brokerUrlProblem(broker.url);
  if (bad !== undefined) (broker.fromConfig ? refuse : refuseSite)(broker.fromConfig ? '$.mqtt.url' : '$.uplink.url', `the broker URL ${broker.url} ${bad}`, 'write mqtt://host:1883 or mqtts://host:8883 (a host name or address, and a port from 1 to 65535)');
  const files = [
    ['passwordFile', 'MQTT password'],
    ['caFile', 'CA certificate'],
    ['certFile', 'client certificate'],
    ['keyFile', 'client key'],
  ] as const;
  const pem: Partial<Record<(typeof files)[number][0], string>> = {};
  for (const [field, what] of files) {
    const file = config.mqtt?.[field];
    if (file === undefined) continue;
    try {
      pem[field] = readSecret(file, what);
    } catch (error) {
      refuse(`$.mqtt.${field}`, bareMessage(error as Error), `${(error as AxonError).fix ?? 'check the path'} (the gateway reads it at every start)`);
    }
  }
  // What the TLS connection will load, loaded now: a CA file that is no PEM certificate, a key that does not match its certificate.
  const tlsProblem = (field: 'caFile' | 'certFile', load: () => void, what: string) => {
    try {
      load();
    } catch (error) {
      refuse(`$.mqtt.${field}`, `${what} not load: ${(error as Error).message}`, 'give PEM files (-----BEGIN CERTIFICATE----- …; the key -----BEGIN … PRIVATE KEY-----), the key belonging to the certificate');
    }
  };
  const { caFile, certFile, keyFile } = pem;
  if (caFile !== undefined) tlsProblem('caFile', () => new X509Certificate(caFile), `the CA certificate ${config.mqtt?.caFile ?? ''} does`);
  if (certFile !== undefined || keyFile !== undefined) tlsProblem('certFile', () => createSecureContext({ cert: certFile, key: keyFile }), 'the client certificate and key do');
}

/** Why `url` is no broker URL mqtt.js can connect to, or undefined. */
function brokerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL (a port that is not a number from 1 to 65535, a stray character?)';
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:') return `uses ${parsed.protocol}, not mqtt: or mqtts:`;
  if (parsed.hostname === '') return 'names no host';
  if (parsed.port !== '' && Number(parsed.port) === 0) return 'has port 0';
  return undefined;
}

/** The data directory exists and is writable, or its nearest existing parent is (run creates it). */
function checkDataDirectory(dataDir: string, refuse: Report): void {
  let dir = path.resolve(dataDir);
  while (!existsSync(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const fix = 'give --data a directory the gateway user owns (the systemd unit\'s StateDirectory=axon makes /var/lib/axon)';
  if (!isDirectory(dir)) {
    refuse(dataDir, `the data directory ${dataDir} cannot be created: ${dir} is not a directory`, fix);
    return;
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    refuse(dataDir, `the data directory ${dataDir} ${dir === path.resolve(dataDir) ? 'is not writable' : `cannot be created in ${dir}`}: ${(error as Error).message}`, fix);
  }
}

/** What the core's Gateway constructor refuses, placed at the field that causes it. */
function checkConstruction(inputs: PreflightInputs, config: HostConfig, sink: Sink): void {
  const error = gatewayConstructionError(inputs.site, inputs.manifests, config, inputs.dataDir);
  if (error === undefined) return;
  const code = error instanceof AxonError ? error.code : '';
  if (code === 'STORE_CONFIG') {
    sink.refuse('$.gateway.storeCapacityBytes', bareMessage(error), `raise gateway.storeCapacityBytes to at least two segments, or leave it out for the default ${GATEWAY_DEFAULTS.storeCapacityBytes}`);
  } else if (code === 'BATCH_TOO_MANY_CHANNELS') {
    sink.refuseSite('$.buses', `the site has more channels (device points) than the uplink format can number: ${bareMessage(error)}`, 'split the site over two gateways (a site file each), or disable points the platform does not need ("points": { "<point>": { "disabled": true } } on the device); channels that earlier versions of the site retired count too, until the data directory is started afresh');
  } else {
    sink.refuseSite('$', `the gateway cannot be built from this site: ${bareMessage(error)}`, (error as AxonError).fix ?? 'correct the site file (`axon site validate` lists its problems)');
  }
}

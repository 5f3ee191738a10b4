/**
 * What `axon gateway check` asks of a LoRaWAN site on the Pi: a radio in the
 * host config that can tune the site's region, its lines free, and the keys
 * for the site's activation. Also narrows the schema's complaints about the
 * `radio` alternatives to the one the config chose by its `type`.
 */
import type { ErrorObject } from 'ajv';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { isSpiRadio, radioProblems, SPI_RADIO_TYPES, type SpiRadioConfig } from './host-radio.js';
import { lorawanKeyProblems, type LorawanKeysConfig } from './host-lorawan.js';

interface Problem {
  path: string;
  message: string;
  fix: string;
}

export interface LorawanHostConfig {
  radio?: { type: string };
  lorawan?: LorawanKeysConfig;
  /** Outputs wired by sysfs number (`gpio`) share the radio pins' numbering; character-device lines (`line`) do not. */
  outputs?: Record<string, { gpio?: number }>;
}

export function lorawanHostProblems(config: LorawanHostConfig, site: SiteFile): Problem[] {
  const uplink = site.uplink;
  if (uplink.kind !== 'lorawan') return [];
  if (config.radio === undefined) {
    return [{
      path: '$.radio',
      message: 'the site sends over LoRaWAN and this config names no radio',
      fix: `add "radio": { "type": "sx1262", "spi": "/dev/spidev0.0", "pins": { "busy": …, "dio1": …, "reset": … } } (types: ${SPI_RADIO_TYPES.join(', ')}; wiring tables in docs/rpi-gateway.md), or "radio": { "type": "rui3", "port": "/dev/ttyAMA0" } for a RAK3172-class module that runs its own MAC (docs/rui3.md)`,
    }];
  }
  // Other radio kinds (a module that runs its own MAC) are checked where they are implemented.
  if (!isSpiRadio(config.radio)) return [];
  const outputGpios = new Map<number, string>();
  for (const [id, wiring] of Object.entries(config.outputs ?? {})) if (wiring.gpio !== undefined) outputGpios.set(wiring.gpio, `output ${id}`);
  return [...radioProblems(config.radio as SpiRadioConfig, site, outputGpios), ...lorawanKeyProblems(uplink, config.lorawan)];
}

/**
 * ajv reports every failing alternative of `radio`'s oneOf; keep only the
 * errors of the alternative whose `type` the config names (all of them when
 * it names none), and drop the oneOf summary when something more precise remains.
 */
export function radioSchemaErrors(errors: readonly ErrorObject[], json: unknown, schema: { properties?: Record<string, unknown> }): ErrorObject[] {
  const type = (json as { radio?: { type?: unknown } } | undefined)?.radio?.type;
  const branches = ((schema.properties?.radio as { oneOf?: Array<{ properties?: { type?: { enum?: unknown[] } } }> } | undefined)?.oneOf) ?? [];
  const chosen = branches.findIndex((b) => b.properties?.type?.enum?.includes(type) === true);
  const kept = errors.filter((error) => {
    const match = /\/properties\/radio\/oneOf\/(\d+)\//.exec(error.schemaPath);
    if (match === null) return true;
    if (chosen === -1) return error.instancePath === '/radio/type' ? Number(match[1]) === 0 : false;
    return Number(match[1]) === chosen;
  });
  const precise = kept.some((e) => e.instancePath.startsWith('/radio') && e.keyword !== 'oneOf');
  return kept.filter((e) => !(e.keyword === 'oneOf' && e.instancePath === '/radio' && precise));
}

/**
 * What can be checked on the machine itself before `gateway run`: the SPI
 * binding loads (refusal), the spidev node exists (a warning: SPI may be
 * enabled by a reboot still to come), the AppKey file reads (refusal).
 */
export function radioMachineChecks(config: LorawanHostConfig, site: SiteFile, machine: {
  loadSpi: () => void;
  exists: (file: string) => boolean;
  readSecret: (file: string, what: string) => string;
}, refuse: (path: string, message: string, fix: string) => void, warn: (path: string, message: string, fix: string) => void): void {
  if (site.uplink.kind !== 'lorawan' || !isSpiRadio(config.radio)) return;
  const radio = config.radio as SpiRadioConfig;
  try {
    machine.loadSpi();
  } catch (error) {
    const e = error as Error & { fix?: string };
    refuse('$.radio', e.message.split(' (at ')[0], e.fix ?? 'install spi-device');
  }
  if (!machine.exists(radio.spi)) {
    warn('$.radio.spi', `${radio.spi} does not exist (yet)`, 'enable SPI: `sudo raspi-config nonint do_spi 0` (or dtparam=spi=on in /boot/firmware/config.txt), then reboot');
  }
  const keyFile = config.lorawan?.appKeyFile;
  if (keyFile !== undefined) {
    try {
      const key = machine.readSecret(keyFile, 'LoRaWAN AppKey');
      if (!/^[0-9A-Fa-f]{32}$/.test(key)) refuse('$.lorawan.appKeyFile', `${keyFile} does not hold an AppKey (32 hex digits)`, 'write the AppKey as registered on the network server, as hex on one line');
    } catch (error) {
      const e = error as Error & { fix?: string };
      refuse('$.lorawan.appKeyFile', e.message.split(' (at ')[0], e.fix ?? 'check the path');
    }
  }
}

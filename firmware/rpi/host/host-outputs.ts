/**
 * A site output on this Pi: a line of the GPIO character device through
 * libgpiod (host config `{ "line": n, "chip"? }`, the interface current
 * kernels support), or the sysfs fallback (`{ "gpio": n }`) where the kernel
 * still has it, or a pin of a Firmata I/O board (`{ "board": id, "pin": n }`,
 * host-firmata.ts). Each way the load is at its inactive level from the start.
 */
import type { ErrorObject } from 'ajv';
import type { OutputConfig } from '../../../drivers/gateway/site.js';
import type { ManifestProblem } from '../../../sdk/manifest/manifest-error.js';
import type { DigitalOutput } from '../../../drivers/ports/digital.js';
import { GpiodOutput, type GpioChipAccess } from '../ports/gpio-chip.js';
import { SysfsGpioOutput } from '../ports/sysfs-gpio-output.js';
import type { HostConfig } from './host-config.js';
import type { FirmataBoards } from './host-firmata.js';

export const DEFAULT_GPIO_CHIP = 'gpiochip0';

/** `boards`: the Firmata boards opened at start (host-firmata.ts), when an output is on one. */
export function openHostOutput(output: OutputConfig, config: HostConfig, access: () => GpioChipAccess, boards?: FirmataBoards): DigitalOutput {
  const wiring = config.outputs?.[output.id];
  if (wiring?.board !== undefined) {
    if (boards === undefined) throw new Error(`output ${output.id} is on Firmata board ${wiring.board}, which was not opened`);
    return boards.relay(output.id, output.id);
  }
  if (wiring?.line !== undefined) {
    return new GpiodOutput({ access: access(), chip: wiring.chip ?? DEFAULT_GPIO_CHIP, offset: wiring.line, activeLow: wiring.activeLow, name: output.id });
  }
  return new SysfsGpioOutput({ gpio: wiring?.gpio ?? Number(output.pin), activeLow: wiring?.activeLow, gpioRoot: config.gpioRoot, name: output.id });
}

/** "on gpiochip0 line 17, active low", "on GPIO 529" (sysfs) or "on Firmata board relays (/dev/ttyACM0) pin 7". */
export function describeHostOutput(output: OutputConfig, config: HostConfig): string {
  const wiring = config.outputs?.[output.id];
  const where = wiring?.board !== undefined ? `Firmata board ${wiring.board} (${config.firmata?.[wiring.board]?.port ?? '?'}) pin ${String(wiring.pin)}` : wiring?.line !== undefined ? `${wiring.chip ?? DEFAULT_GPIO_CHIP} line ${wiring.line}` : `GPIO ${wiring?.gpio ?? String(output.pin)}`;
  return `on ${where}${wiring?.activeLow === true ? ', active low' : ''}`;
}

const WIRING_ONE_OF = '#/properties/outputs/additionalProperties/oneOf';

/**
 * ajv explains a failed oneOf of an output's wiring with one error per
 * alternative ("must NOT be valid", a missing "line"); say instead which
 * three ways there are and what this entry mixes or lacks. The other schema
 * errors (a pin that is no integer) are left as they are.
 */
export function outputWiringErrors(errors: readonly ErrorObject[], json: unknown, file: string): { rest: ErrorObject[]; problems: ManifestProblem[] } {
  const outputs = new Set<string>();
  const rest = errors.filter((error) => {
    if (!error.schemaPath.startsWith(WIRING_ONE_OF)) return true;
    outputs.add(error.instancePath.split('/')[2] ?? '');
    return false;
  });
  const problems = [...outputs].map((escaped) => {
    const id = escaped.replace(/~1/g, '/').replace(/~0/g, '~');
    const wiring = (json as { outputs?: Record<string, object> }).outputs?.[id] ?? {};
    const given = ['line', 'chip', 'gpio', 'board', 'pin'].filter((key) => key in wiring);
    return {
      file,
      path: `$.outputs["${id}"]`,
      message: `output ${id} must be wired one way: "line" (and "chip") on the GPIO character device, "gpio" through sysfs, or "board" and "pin" on a Firmata board; it has ${given.length === 0 ? 'none of these' : given.map((key) => `"${key}"`).join(', ')}`,
      fix: 'keep one: { "line": 17 }, { "gpio": 529 } or { "board": "relays", "pin": 7 } (with "activeLow": true for an active-low relay board)',
    };
  });
  return { rest, problems };
}

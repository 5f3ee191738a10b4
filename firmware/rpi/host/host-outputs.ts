/**
 * A site output on this Pi: a line of the GPIO character device through
 * libgpiod (host config `{ "line": n, "chip"? }`, the interface current
 * kernels support), or the sysfs fallback (`{ "gpio": n }`) where the kernel
 * still has it. Either way the load is at its inactive level from the start.
 */
import type { OutputConfig } from '../../../drivers/gateway/site.js';
import type { DigitalOutput } from '../../../drivers/ports/digital.js';
import { GpiodOutput, type GpioChipAccess } from '../ports/gpio-chip.js';
import { SysfsGpioOutput } from '../ports/sysfs-gpio-output.js';
import type { HostConfig } from './host-config.js';

export const DEFAULT_GPIO_CHIP = 'gpiochip0';

export function openHostOutput(output: OutputConfig, config: HostConfig, access: () => GpioChipAccess): DigitalOutput {
  const wiring = config.outputs?.[output.id];
  if (wiring?.line !== undefined) {
    return new GpiodOutput({ access: access(), chip: wiring.chip ?? DEFAULT_GPIO_CHIP, offset: wiring.line, activeLow: wiring.activeLow, name: output.id });
  }
  return new SysfsGpioOutput({ gpio: wiring?.gpio ?? Number(output.pin), activeLow: wiring?.activeLow, gpioRoot: config.gpioRoot, name: output.id });
}

/** "on gpiochip0 line 17, active low" or "on GPIO 529 (sysfs)". */
export function describeHostOutput(output: OutputConfig, config: HostConfig): string {
  const wiring = config.outputs?.[output.id];
  const where = wiring?.line !== undefined ? `${wiring.chip ?? DEFAULT_GPIO_CHIP} line ${wiring.line}` : `GPIO ${wiring?.gpio ?? String(output.pin)}`;
  return `on ${where}${wiring?.activeLow === true ? ', active low' : ''}`;
}

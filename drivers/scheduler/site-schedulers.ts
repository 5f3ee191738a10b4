/** One PortScheduler per bus of a site, and never two on one port. */
import { AxonError } from '../errors.js';
import type { BusConfig, SiteFile } from '../gateway/site.js';
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock } from '../ports/clock.js';
import type { BreakerOptions } from './breaker.js';
import { PortScheduler, type PollResult, type PortSchedulerOptions } from './port-scheduler.js';
import type { ManifestLookup } from './site-device.js';

export interface SiteSchedulerOptions {
  site: SiteFile;
  manifests: ManifestLookup;
  clock: Clock;
  /** Open the port of a bus (host adapter: serialport, Moddable serial, a simulated line). */
  openPort(bus: BusConfig): ByteStream;
  onPoll?: (result: PollResult) => void;
  onError?: (error: Error) => void;
  breaker?: BreakerOptions;
  minQuietMs?: number;
  /** Modbus RTU master tuning (e.g. a larger minFrameGapMs on hosts with coarse serial timing). */
  modbus?: PortSchedulerOptions['modbus'];
}

export function schedulersForSite(options: SiteSchedulerOptions): PortScheduler[] {
  const owners = new Map<string, string>();
  for (const bus of options.site.buses) {
    const owner = owners.get(bus.port);
    if (owner !== undefined) {
      throw new AxonError('SCHEDULER_PORT_SHARED', `buses '${owner}' and '${bus.id}' both use port ${bus.port}`, {
        fix: 'put every device on that port into one bus: one scheduler per port keeps requests from colliding',
      });
    }
    owners.set(bus.port, bus.id);
  }
  return options.site.buses
    .filter((bus) => bus.devices.length > 0)
    .map((bus) => new PortScheduler({
      bus,
      stream: options.openPort(bus),
      clock: options.clock,
      manifests: options.manifests,
      onPoll: options.onPoll,
      onError: options.onError,
      breaker: options.breaker,
      minQuietMs: options.minQuietMs,
      modbus: options.modbus,
    }));
}

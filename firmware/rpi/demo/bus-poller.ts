/**
 * A minimal per-bus poller for the demo: one loop per port, so requests never
 * overlap on a bus, each device polled at its manifest period (scaled by the
 * simulation speed). The gateway-pipeline issue replaces it with the real
 * scheduler (coalescing, priorities, backoff).
 */
import type { Clock } from '../../../drivers/ports/clock.js';
import { sleep } from '../../../drivers/ports/clock.js';
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import type { PointReading } from '../../../drivers/devices/reading.js';

export interface PolledDevice {
  label: string;
  address: number | string;
  manifest: DeviceManifest;
  readAll(): Promise<Record<string, PointReading>>;
}

export interface PollResult {
  bus: string;
  device: PolledDevice;
  readings: Record<string, PointReading>;
  /** Monotonic clock time of the poll, ms. */
  at: number;
  durationMs: number;
}

export class BusPoller {
  #stopped = false;
  readonly #due = new Map<PolledDevice, number>();

  constructor(
    private readonly options: {
      bus: string;
      clock: Clock;
      devices: PolledDevice[];
      /** Simulated seconds per real second. */
      speed: number;
      /** Never poll one device more often than this, real ms. */
      minPeriodMs?: number;
      onResult: (result: PollResult) => void;
    },
  ) {}

  async run(): Promise<void> {
    const { clock, devices } = this.options;
    for (const device of devices) this.#due.set(device, clock.now());
    while (!this.#stopped) {
      const [device, due] = [...this.#due.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
      const wait = due - clock.now();
      if (wait > 0) await sleep(clock, Math.min(wait, 250));
      if (this.#stopped) break;
      if (clock.now() < due) continue;
      const started = clock.now();
      const readings = await device.readAll();
      this.options.onResult({ bus: this.options.bus, device, readings, at: started, durationMs: clock.now() - started });
      const period = Math.max(this.options.minPeriodMs ?? 1000, (device.manifest.pollPeriodS * 1000) / this.options.speed);
      this.#due.set(device, due + period);
    }
  }

  stop(): void {
    this.#stopped = true;
  }
}

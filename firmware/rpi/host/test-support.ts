/**
 * Shared by the end-to-end tests of `axon gateway run` (gateway-run.test.ts,
 * gateway-nbiot.test.ts): the far side of the RS-485 bus, simulated devices on
 * the device end of a socat pty pair opened with serialport's real bindings,
 * and a polling wait.
 */
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { createPtyPair, type PtyPair } from '../../../simulators/pty.js';
import { attachSimulatedDevices, type SimulatedDevices } from '../../../simulators/simulated-bus.js';
import { PTY_FRAME_GAP_MS } from '../demo/pty-site.js';
import { NodeClock } from '../ports/node-clock.js';
import { openSerialStream, type SerialStream } from '../ports/serial-stream.js';

/** Simulated minutes per real minute on the far side: the smoke alarm goes off one simulated minute (a second) in. */
const SPEED = 60;

/** The far side of the bus: the simulated devices on the device end of a pty pair at fixed link paths. */
export class FarSide {
  pty: PtyPair | undefined;
  #end: SerialStream | undefined;
  #devices: SimulatedDevices | undefined;
  #firstPlugMs: number | undefined;
  readonly #clock = new NodeClock();

  constructor(readonly site: SiteFile, readonly gatewayLink: string, readonly deviceLink: string) {}

  async plugIn(): Promise<void> {
    const bus = this.site.buses[0];
    // Unplugging the cable does not reset the sensors: plugged back, they carry on where their scenario is now
    // (restarting it at minute 0 would turn the smoke alarm off for a simulated minute and raise it again).
    this.#firstPlugMs ??= Date.now();
    const startMinutes = ((Date.now() - this.#firstPlugMs) / 60_000) * SPEED;
    this.pty = await createPtyPair({ linkA: this.gatewayLink, linkB: this.deviceLink });
    this.#end = await openSerialStream({ path: this.deviceLink, baud: bus.baud, parity: bus.parity, stopBits: bus.stopBits });
    this.#devices = attachSimulatedDevices(bus, shippedManifests(), this.#clock, this.#end, {
      speed: SPEED,
      startMinutes,
      interFrameGapMs: PTY_FRAME_GAP_MS,
      // The smoke alarm goes off one simulated minute in (a second of real time) and stays on.
      models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 1, durationMinutes: 100_000 } } },
    });
  }

  async unplug(): Promise<void> {
    this.#devices?.close();
    this.#devices = undefined;
    this.#end?.close();
    await this.#end?.whenClosed();
    this.#end = undefined;
    await this.pty?.close();
    this.pty = undefined;
  }

  async close(): Promise<void> {
    await this.unplug();
    this.#clock.cancelAll();
  }
}

/** Poll `condition` every 50 ms; reject after `timeoutMs` with `what` (and `detail()`, e.g. the gateway's log). */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail === undefined ? '' : `\n${detail()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Class A receive windows: RX1 opens RxDelay after the end of the uplink, on
 * a frequency and data rate derived from the uplink; RX2 opens one second
 * later on fixed parameters. The window only has to catch the preamble: the
 * radio then receives to the end of the packet.
 */
import { sleep, type Clock } from '../../ports/clock.js';
import type { Radio, LoraModulation } from '../../ports/radio.js';

export const RECEIVE_DELAY1_MS = 1000;
export const RECEIVE_DELAY2_MS = 2000;
export const JOIN_ACCEPT_DELAY1_MS = 5000;
export const JOIN_ACCEPT_DELAY2_MS = 6000;

export interface RxWindowPlan extends LoraModulation {
  /** 1 or 2. */
  window: 1 | 2;
  /** Clock ms at which the network starts its downlink. */
  atMs: number;
  freqHz: number;
  dataRate: number;
}

export interface RxTiming {
  /** Preamble symbols the window must cover (default 12: 8 of preamble plus timing slack). */
  windowSymbols?: number;
  /** Open this many ms early and stay as much longer, for clock error (default 10). */
  marginMs?: number;
}

/** Window length for a modulation: enough symbols to detect a preamble, plus margin on both sides. */
export function windowMsFor(modulation: LoraModulation, timing: RxTiming = {}): number {
  const symbolMs = 2 ** modulation.sf / modulation.bw;
  return (timing.windowSymbols ?? 12) * symbolMs + 2 * (timing.marginMs ?? 10);
}

/**
 * Listen in each window in turn and hand every packet to `handle`; the first
 * defined result ends the listening (a valid frame in RX1 means no RX2). A
 * window whose time has already passed (a long RX1 packet) is skipped.
 */
export async function listen<T>(radio: Radio, clock: Clock, windows: readonly RxWindowPlan[], timing: RxTiming,
  handle: (bytes: Uint8Array, window: RxWindowPlan) => T | undefined): Promise<T | undefined> {
  const margin = timing.marginMs ?? 10;
  for (const window of windows) {
    const opensAt = window.atMs - margin;
    if (clock.now() > opensAt) continue;
    await sleep(clock, opensAt - clock.now());
    const bytes = await radio.receive({ freqHz: window.freqHz, sf: window.sf, bw: window.bw, windowMs: windowMsFor(window, timing) });
    if (bytes === undefined) continue;
    const result = handle(bytes, window);
    if (result !== undefined) return result;
  }
  return undefined;
}

/**
 * Receive-window timing as a test measures it: for every uplink a device put
 * on the simulated channel, the times its chip opened RX1 and RX2 (the chip
 * simulator's SetRx log) against the class A times the network uses, which
 * are the start times of the downlinks the channel carried (uplink end +
 * RxDelay, + 1 s for RX2). Runtime-neutral.
 */
import type { SimulatedLoraChannel } from './channel.js';

export interface ChipWindowRecord {
  openedMs: number;
  outcome: 'packet' | 'timeout' | 'open';
}

export interface RxWindowOffset {
  /** The uplink's end, ms. */
  uplinkEndMs: number;
  window: 1 | 2;
  /** Clock ms of the RX time: the downlink's start when one was sent, else uplink end + delay. */
  atMs: number;
  /** Window opening − RX time, ms (negative: opened early, as it must to catch the preamble). */
  offsetMs: number;
  /** A downlink was on the air for this window. */
  downlink: boolean;
  /** The chip received a packet in this window. */
  received: boolean;
}

/** Delays of RX1/RX2 after join requests and after data frames, ms. */
export interface RxDelays {
  join: readonly [number, number];
  data: readonly [number, number];
}

export function rxWindowOffsets(channel: SimulatedLoraChannel, deviceId: string, windows: readonly ChipWindowRecord[], delays: RxDelays): RxWindowOffset[] {
  const out: RxWindowOffset[] = [];
  const downlinks = channel.log.filter((t) => t.plane === 'downlink');
  for (const uplink of channel.log) {
    if (uplink.plane !== 'uplink' || uplink.sender !== deviceId) continue;
    const isJoin = uplink.payload[0] >> 5 === 0;
    const [d1, d2] = isJoin ? delays.join : delays.data;
    for (const [window, delay] of [[1, d1], [2, d2]] as const) {
      const expected = uplink.endMs + delay;
      // The window that belongs to this time: opened within a second around it.
      const opened = windows.find((w) => Math.abs(w.openedMs - expected) < 500);
      if (opened === undefined) continue;
      const downlink = downlinks.find((d) => Math.abs(d.startMs - expected) < 1);
      const atMs = downlink?.startMs ?? expected;
      out.push({ uplinkEndMs: uplink.endMs, window, atMs, offsetMs: opened.openedMs - atMs, downlink: downlink !== undefined, received: opened.outcome === 'packet' });
    }
  }
  return out;
}

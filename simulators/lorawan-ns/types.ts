/**
 * What travels between the network-server core and the ways frames reach it
 * (Semtech UDP packet forwarders, the in-process simulated radio channel).
 * Both speak the concentrator's terms: a free-running microsecond counter
 * (`tmst`) marks when an uplink ended, and downlinks are scheduled on the same
 * counter, so receive windows come out exact without any wall-clock sync.
 */

/** How one gateway heard one uplink. */
export interface UplinkRxInfo {
  /** Gateway EUI as 16 lower-case hex digits (Semtech UDP), or the simulated gateway's name. */
  gatewayId: string;
  /** Concentrator counter at the end of the packet, µs, wrapping at 2^32 (Semtech `tmst`). */
  tmst: number;
  /** Hz. */
  frequency: number;
  sf: number;
  /** kHz. */
  bw: 125 | 250 | 500;
  /** "4/5" for LoRaWAN. */
  codeRate: string;
  rssi: number;
  snr: number;
  channel?: number;
  rfChain?: number;
  /** ISO 8601 UTC when the gateway knows it (GPS or NTP). */
  time?: string;
}

export interface ReceivedFrame {
  phyPayload: Uint8Array;
  rx: UplinkRxInfo;
}

/** One receive window a downlink may go out in. */
export interface TxWindow {
  window: 'rx1' | 'rx2';
  /** Concentrator counter at which transmission starts, µs (wraps at 2^32). */
  tmst: number;
  /** The same instant as a delay after the end of the uplink, ms (for transports on a shared Clock). */
  delayMs: number;
  frequency: number;
  dataRate: number;
  sf: number;
  bw: 125 | 250 | 500;
  powerDbm: number;
}

/** A downlink frame and where it may go, best window first; a transport falls back to the next when one fails. */
export interface DownlinkPlan {
  gatewayId: string;
  devEui: string;
  kind: 'join-accept' | 'data';
  phyPayload: Uint8Array;
  /** Data downlinks: the counter it was built with. */
  fCntDown?: number;
  /** ChirpStack's downlinkId (random uint32), set when the server plans it. */
  downlinkId?: number;
  /** The queued application item it carries, if any. */
  queueItemId?: string;
  windows: TxWindow[];
}

/** Where a transport reports how a planned downlink went (Semtech TX_ACK, or the simulated radio). */
export interface DownlinkResult {
  plan: DownlinkPlan;
  /** The window used, or undefined when every window failed. */
  window: TxWindow | undefined;
  /** Semtech TX_ACK error names ("TOO_LATE", …) of windows that failed, in order. */
  errors: string[];
}

/**
 * The simulated LoRa channel's public shapes: what the network side (a
 * network-server simulator, a test double) sees of the air, and the log tests
 * assert on. Device side is the Radio port (drivers/ports/radio.ts).
 */
import type { LoraModulation } from '../../drivers/ports/radio.js';
import type { ConcentratorOptions } from './concentrator.js';
import type { InterSfModel } from './inter-sf.js';

export interface LoraChannelOptions {
  /** Seeds every random draw (loss dice); the same seed replays the same run. Default 1. */
  seed?: number;
  /** Probability (0–1) that a packet is lost at one receiver for no modelled reason (fading, interference). Default 0. */
  lossProbability?: number;
  /**
   * Capture effect, dB: of two overlapping packets on the same frequency, SF
   * and bandwidth, one still gets through when it is at least this much
   * stronger at the receiver than every other one; otherwise all are lost.
   * Default 6; `Infinity` turns capture off (every collision loses both).
   */
  captureThresholdDb?: number;
  /**
   * Packets at different SFs on one channel: 'croce2018' (default) loses the
   * weaker one when the SIR is below the co-channel rejection of Croce et al.
   * 2018, Table I (see inter-sf.ts); 'orthogonal' never does.
   */
  interSf?: InterSfModel;
  /** Receiver noise figure, dB (noise floor = −174 + 10·log10(BW Hz) + NF). Default 6, so −117 dBm at 125 kHz. */
  noiseFigureDb?: number;
  /** Keep every transmission in `log` (default true). Fleets running for weeks may turn it off. */
  keepLog?: boolean;
}

export interface DeviceRadioOptions {
  /** Name in logs and `ReceivedUplink.deviceId`. Default `dev-<n>`. */
  id?: string;
  /**
   * Path loss between this device and a gateway, dB, used both ways:
   * RSSI = transmit power − path loss. A number applies to every gateway;
   * a function gives it per gateway (Infinity = out of range). Default 120.
   */
  pathLossDb?: number | ((gatewayId: string) => number);
}

/** A base station: its concentrator's channels, demodulators and downlink duty cycle (see concentrator.ts). */
export interface GatewayOptions extends ConcentratorOptions {
  /** Name in logs and `ReceivedUplink.gatewayId`. Default `gw-<n>`. */
  id?: string;
}

/** Why a base station did not send a downlink it was asked to. */
export type DownlinkRefusal = 'too-late' | 'busy' | 'duty-cycle';

/** One base station's figures: what it heard and lost, by cause, and what it sent. */
export interface GatewayStats {
  /** Uplinks on the channels it listens to, by outcome. */
  receptions: Record<ReceptionOutcome, number>;
  downlinks: number;
  downlinksRefused: Record<DownlinkRefusal, number>;
  /** Highest share of any rolling hour its downlinks used, per duty-cycled sub-band (0.01 = 1 %). */
  busiestHourShare: Record<string, number>;
}

/** An uplink as a gateway's packet forwarder reports it. */
export interface ReceivedUplink extends LoraModulation {
  gatewayId: string;
  /**
   * The sending radio's id. Simulation metadata only: a real gateway does not
   * know it, so network code must route by DevAddr / DevEUI, never by this.
   */
  deviceId: string;
  /** PHYPayload (MHDR … MIC), a copy. */
  payload: Uint8Array;
  freqHz: number;
  /** Clock ms when the packet started / ended. RX1 opens RxDelay after `endMs`. */
  startMs: number;
  endMs: number;
  airtimeMs: number;
  rssiDbm: number;
  snrDb: number;
}

export interface DownlinkRequest extends LoraModulation {
  /** Clock ms (Clock.now()) at which the packet starts: uplink endMs + RX1 delay, or + RX1 delay + 1 s for RX2. */
  atMs: number;
  freqHz: number;
  /** EIRP, dBm. Default 14 (EU868 RX1); RX2 in g3 may use 27. */
  powerDbm?: number;
  payload: Uint8Array;
}

export interface ScheduledDownlink {
  /** Transmission id in the channel log. */
  id: number;
  startMs: number;
  endMs: number;
  airtimeMs: number;
}

export type Plane = 'uplink' | 'downlink';

/** One packet put on the air, by a device (uplink) or a gateway (downlink). */
export interface ChannelTransmission extends LoraModulation {
  id: number;
  plane: Plane;
  /** Device or gateway id. */
  sender: string;
  freqHz: number;
  powerDbm: number;
  startMs: number;
  endMs: number;
  airtimeMs: number;
  payload: Uint8Array;
}

/**
 * Why a packet did not reach a receiver, or 'ok'. 'collision': a packet at the
 * same SF without capture; 'interference': a much stronger packet at another
 * SF (imperfect orthogonality); 'gateway-busy': the base station was
 * transmitting (half duplex); 'demodulators-busy': every demodulator of the
 * base station was already receiving.
 */
export type ReceptionOutcome = 'ok' | 'collision' | 'interference' | 'lost' | 'weak' | 'gateway-busy' | 'demodulators-busy';

export interface ChannelStats {
  uplinks: number;
  downlinks: number;
  /** Receptions by outcome, over all receivers (one uplink heard by two gateways counts twice). */
  receptions: Record<ReceptionOutcome, number>;
  /** Downlinks no device window was listening for (wrong time, frequency or SF). */
  unheardDownlinks: number;
}

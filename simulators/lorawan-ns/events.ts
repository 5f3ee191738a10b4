/**
 * What the network server tells the application side. Transport-neutral:
 * chirpstack-json.ts turns these into ChirpStack-style MQTT messages, tests
 * can listen directly.
 */
import type { DecodedUplink } from '../../sdk/codec/decode-uplink.js';
import type { DeviceState } from './registry.js';
import type { TxWindow, UplinkRxInfo } from './types.js';

interface EventBase {
  /** Unix ms (the NS clock). */
  timeMs: number;
}

export interface UpEvent extends EventBase {
  type: 'up';
  device: DeviceState;
  devAddr: number;
  fCnt: number;
  fPort: number | undefined;
  confirmed: boolean;
  adr: boolean;
  dataRate: number | undefined;
  /** Decrypted application payload. */
  payload: Uint8Array;
  /** The batch decoder's result, when the device has a channel table and the payload decoded. */
  decoded?: DecodedUplink;
  /** Why the payload did not decode. */
  decodeError?: string;
  rx: UplinkRxInfo;
}

export interface JoinEvent extends EventBase {
  type: 'join';
  device: DeviceState;
  devAddr: number;
  rx: UplinkRxInfo;
}

/** The device answered (or ignored) a confirmed downlink. */
export interface AckEvent extends EventBase {
  type: 'ack';
  device: DeviceState;
  acknowledged: boolean;
  fCntDown: number;
  queueItemId: string;
}

/** A downlink left the gateway, or every window failed. */
export interface TxAckEvent extends EventBase {
  type: 'txack';
  device: DeviceState;
  gatewayId: string;
  fCntDown: number | undefined;
  window: TxWindow | undefined;
  errors: string[];
}

export interface StatusEvent extends EventBase {
  type: 'status';
  device: DeviceState;
  battery: number;
  margin: number;
}

/** Rejections and problems; `device` is set when the frame could be tied to one. */
export interface LogEvent extends EventBase {
  type: 'log';
  device: DeviceState | undefined;
  level: 'INFO' | 'WARNING' | 'ERROR';
  /** Stable code, e.g. UPLINK_MIC, UPLINK_REPLAY, JOIN_DEVNONCE, UPLINK_CODEC. */
  code: string;
  description: string;
}

export type NsEvent = UpEvent | JoinEvent | AckEvent | TxAckEvent | StatusEvent | LogEvent;
export type NsEventListener = (event: NsEvent) => void;

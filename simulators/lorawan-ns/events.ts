/**
 * What the network server tells the application side. Transport-neutral:
 * chirpstack-json.ts turns these into ChirpStack v4 MQTT integration messages, tests
 * can listen directly.
 */
import type { DecodedUplink } from '../../sdk/codec/decode-uplink.js';
import type { DeviceState } from './registry.js';
import type { TxWindow, UplinkRxInfo } from './types.js';

interface EventBase {
  /** Unix ms (the NS clock). */
  timeMs: number;
}

/** One uplink as the network deduplicated it: ChirpStack's deduplicationId, and the gateway's uplinkId for it. */
interface Reception {
  /** UUID shared by the events one uplink caused (up, join, ack, status). */
  deduplicationId: string;
  /** Random per reception (ChirpStack's rxInfo.uplinkId). */
  uplinkId: number;
  rx: UplinkRxInfo;
}

export interface UpEvent extends EventBase, Reception {
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
  /** The sdk decoder's result (typed, unix ms), when the device has a channel table and the payload decoded. */
  decoded?: DecodedUplink;
  /** Why the sdk decoder refused the payload. */
  decodeError?: string;
  /** What the device profile's codec returned as `data` (ChirpStack's `object`), when it decoded. */
  object?: Record<string, unknown>;
}

/** Sent with the first uplink of a new OTAA session (ChirpStack v4), not at the join accept. */
export interface JoinEvent extends EventBase {
  type: 'join';
  device: DeviceState;
  devAddr: number;
  deduplicationId: string;
}

/** The device answered (or ignored) a confirmed downlink. */
export interface AckEvent extends EventBase {
  type: 'ack';
  deduplicationId: string;
  device: DeviceState;
  acknowledged: boolean;
  fCntDown: number;
  queueItemId: string;
}

/** The gateway took a downlink for transmission (a downlink every window failed is a DOWNLINK_GATEWAY log instead). */
export interface TxAckEvent extends EventBase {
  type: 'txack';
  device: DeviceState;
  gatewayId: string;
  /** ChirpStack's downlinkId (uint32), one per planned downlink. */
  downlinkId: number;
  /** The application item it carried ("" for MAC-only frames and join accepts). */
  queueItemId: string;
  fCntDown: number | undefined;
  window: TxWindow;
  /** Windows that failed before this one (Semtech TX_ACK error names). */
  errors: string[];
}

export interface StatusEvent extends EventBase {
  type: 'status';
  device: DeviceState;
  deduplicationId: string;
  battery: number;
  margin: number;
}

/** Rejections and problems; `device` is set when the frame could be tied to one. */
export interface LogEvent extends EventBase {
  type: 'log';
  device: DeviceState | undefined;
  level: 'INFO' | 'WARNING' | 'ERROR';
  /** Stable code, e.g. UPLINK_MIC, UPLINK_REPLAY, JOIN_DEVNONCE, UPLINK_CODEC, DOWNLINK_CODEC (ChirpStack's LogCode where one fits; chirpstack-json.ts maps the rest). */
  code: string;
  description: string;
  /** ChirpStack's log context, e.g. deduplication_id or queue_item_id. */
  context: Record<string, string>;
}

export type NsEvent = UpEvent | JoinEvent | AckEvent | TxAckEvent | StatusEvent | LogEvent;
export type NsEventListener = (event: NsEvent) => void;

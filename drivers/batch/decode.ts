/**
 * Decoding any Axon uplink message with a channel table. Frames are
 * self-describing (every channel is encoded the same way), so the table only
 * gives meaning: names, units and resolution. A channel the table does not
 * know means the gateway's table is newer than the decoder's.
 */
import { decodeAlert, type DecodedAlert } from './alert.js';
import { expandAlertGroup } from './alert-group.js';
import { decodeBatchFrame, type FrameContent } from './batch-frame.js';
import { fromFixed, type ChannelTable } from './channels.js';
import { BatchError } from './errors.js';
import { readHeader } from './format.js';
import { decodeSequenced } from './sequenced.js';
import { decodeStatus, type DecodedStatus } from './status.js';

export interface DecodedReading {
  channel: number;
  device: string;
  point: string;
  unit: string;
  /** Unix ms, at the frame's time step. */
  t: number;
  value: number | boolean;
}

export type DecodedMessage =
  /** seq and ackRequested: a sequenced frame (type 4, docs/app-ack.md), which the platform acknowledges. */
  | { type: 'batch'; readings: DecodedReading[]; seq?: number; ackRequested?: boolean }
  | { type: 'alert'; alert: DecodedAlert; seq?: number; ackRequested?: boolean }
  /** An alert group (type 5): several alerts in one frame, critical first (batch-format.md §6.1). */
  | { type: 'alerts'; alerts: DecodedAlert[]; seq?: number; ackRequested?: boolean }
  | { type: 'status'; status: DecodedStatus };

export interface DecodeOptions {
  /** Report problems that spoil only some readings here and skip those readings, instead of throwing. */
  warn?: (message: string) => void;
  /** CBOR forms only: parse the bytes with this decoder instead of the core's own (Node hosts pass cbor-x; XS keeps the core's). */
  cbor?: (bytes: Uint8Array) => unknown;
}

export function decodeMessage(bytes: Uint8Array, table: ChannelTable, options: DecodeOptions = {}): DecodedMessage {
  const type = readHeader(bytes);
  if (type === 'alert') return { type, alert: decodeAlert(bytes, table) };
  if (type === 'alerts') return { type, alerts: expandAlertGroup(bytes).map((alert) => decodeAlert(alert, table)) };
  if (type === 'status') return { type, status: decodeStatus(bytes) };
  if (type === 'sequenced') {
    const { seq, ackRequested, inner } = decodeSequenced(bytes);
    const innerType = readHeader(inner);
    if (innerType === 'alert') return { type: 'alert', alert: decodeAlert(inner, table), seq, ackRequested };
    if (innerType === 'alerts') return { type: 'alerts', alerts: expandAlertGroup(inner).map((alert) => decodeAlert(alert, table)), seq, ackRequested };
    return { type: 'batch', readings: readingsOf(decodeBatchFrame(inner), table, options), seq, ackRequested };
  }
  return { type, readings: readingsOf(decodeBatchFrame(bytes), table, options) };
}

export function readingsOf(content: FrameContent, table: ChannelTable, options: DecodeOptions = {}): DecodedReading[] {
  const readings: DecodedReading[] = [];
  const problem = (error: BatchError) => {
    if (options.warn === undefined) throw error;
    options.warn(error.message);
  };
  for (const block of content.blocks) {
    const channel = table.channels[block.channel];
    if (channel === undefined) {
      problem(new BatchError('BATCH_UNKNOWN_CHANNEL', `channel ${block.channel} is not in the channel table (${table.channels.length} channels); its ${block.values.length} readings were skipped`, {
        fix: 'the gateway’s channel table is newer than this decoder’s: regenerate the codec from it',
      }));
      continue;
    }
    if (channel.kind === 'bool' && block.values.some((v) => v !== 0 && v !== 1)) {
      problem(new BatchError('BATCH_MALFORMED', `channel ${block.channel} (${channel.device}.${channel.point}) is a bit but carries other values; its readings were skipped`, {
        fix: 'decode with the channel table the gateway used',
      }));
      continue;
    }
    block.at.forEach((position, i) => {
      readings.push({
        channel: channel.index,
        device: channel.device,
        point: channel.point,
        unit: channel.unit,
        t: (content.baseS + content.times[position] * content.stepS) * 1000,
        value: fromFixed(channel, block.values[i]),
      });
    });
  }
  return readings;
}

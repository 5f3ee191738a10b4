/** Batch codec: compact binary uplink messages (docs/batch-format.md) and their CBOR form. */
export { buildChannelTable, findChannel, fromFixed, quantize, toFixed } from './channels.js';
export type { Channel, ChannelKind, ChannelTable, ChannelTableOptions, RuleRef } from './channels.js';
export { pointEncoding, unitDecimals } from './resolution.js';
export { BatchEncoder, type BatchEncoderOptions } from './encoder.js';
export { encodeBatchFrame, decodeBatchFrame, batchFrameSize, type FrameBlock, type FrameContent } from './batch-frame.js';
export { encodeAlert, decodeAlert, type DecodedAlert } from './alert.js';
export { encodeAlertGroup, expandAlertGroup, packAlerts, ALERT_GROUP_HEADER_BYTES, type PackedAlerts } from './alert-group.js';
export { encodeStatus, decodeStatus, STATUS_COUNTER_MAX, REFUSAL_REASONS, type StatusReport, type StatusRefusal, type RefusalReason, type DecodedStatus } from './status.js';
export { encodeSequenced, decodeSequenced, SEQ_MODULUS, SEQUENCED_OVERHEAD_BYTES, type Sequenced } from './sequenced.js';
export { decodeMessage, readingsOf, type DecodedMessage, type DecodedReading, type DecodeOptions } from './decode.js';
export { encodeCborBatch, encodeCborAlert, encodeCborStatus, decodeCborMessage } from './cbor.js';
export { FORMAT_VERSION, MessageType, TIME_STEPS_S, LIMITS, type MessageTypeName, type TimeStepS } from './format.js';
export { BatchError } from './errors.js';

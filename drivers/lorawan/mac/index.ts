/** LoRaWAN 1.0.x class A end-device MAC over the Radio port. See docs/lorawan-mac.md. */
export { LoraWanMac, type LoraWanMacOptions, type AbpCredentials, type OtaaCredentials, type Credentials, type MacCounters, type MacEvent, type FrameRequest, type FrameResult, type ApplicationDownlink } from './mac.js';
export { LoraWanUplink, type LoraWanUplinkOptions } from './uplink.js';
export { FPORT, MIN_APP_FPORT, MAX_APP_FPORT, isApplicationPort } from './fport.js';
export { LorawanMacError, type LorawanMacErrorCode } from './errors.js';
export { MacPersistence, FrameCounters, DEFAULT_FCNT_WRITE_AHEAD, DEFAULT_KEY_PREFIX, MAX_KEY_LENGTH } from './fcnt-store.js';
export { DutyCycleLimiter, type DutyCycleBand } from './duty-cycle.js';
export { AdrBackoff, ADR_ACK_LIMIT, ADR_ACK_DELAY } from './adr.js';
export { checkDownlink, MAX_FCNT_GAP, type DownlinkVerdict, type RejectReason } from './downlink.js';
export * from './mac-commands.js';
export { gpsToUnixMs, unixMsToGps, GPS_EPOCH_UNIX_MS, GPS_UTC_LEAP_SECONDS } from './device-time.js';
export { joinDutyCycle, type JoinOptions } from './join.js';
export { RECEIVE_DELAY1_MS, RECEIVE_DELAY2_MS, JOIN_ACCEPT_DELAY1_MS, JOIN_ACCEPT_DELAY2_MS, windowMsFor } from './rx-windows.js';
export { macRulesFor, txPowerDbm, type MacRegionRules } from './region-rules.js';
export { ChannelPlan } from './channels.js';
export { seededRandom } from './random.js';

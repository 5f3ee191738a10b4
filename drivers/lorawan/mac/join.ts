/**
 * OTAA join procedure (LoRaWAN 1.0.x §6.2, back-off per 1.0.4 §7):
 * each attempt takes a fresh DevNonce (persisted before the request leaves),
 * sends a join request on a random default channel, and listens at
 * JOIN_ACCEPT_DELAY1/2. Attempts step through the region's join data rates
 * and are spaced by a random back-off plus the join duty cycle: 1 % in the
 * first hour after the first attempt, 0.1 % up to hour 11, 0.01 % after.
 */
import type { BlockCipher } from '../../ports/block-cipher.js';
import { sleep, type Clock } from '../../ports/clock.js';
import type { Radio } from '../../ports/radio.js';
import { decodeJoinAccept, encodeJoinRequest, type JoinAccept } from '../join.js';
import { deriveSessionKeys } from '../keys.js';
import { encodeCfList } from '../cflist.js';
import type { Region } from '../regions/index.js';
import type { ChannelPlan } from './channels.js';
import { LorawanMacError } from './errors.js';
import type { MacPersistence } from './fcnt-store.js';
import { loraModulation, type MacRegionRules } from './region-rules.js';
import { JOIN_ACCEPT_DELAY1_MS, JOIN_ACCEPT_DELAY2_MS, listen, type RxTiming, type RxWindowPlan } from './rx-windows.js';
import type { Session } from './session.js';
import type { Transmitter } from './transmitter.js';

export interface OtaaCredentials {
  activation: 'otaa';
  /** 8 bytes, most significant first as printed on the label. */
  devEui: Uint8Array;
  joinEui: Uint8Array;
  appKey: Uint8Array;
}

export interface JoinParts {
  region: Region;
  rules: MacRegionRules;
  radio: Radio;
  clock: Clock;
  cipher: BlockCipher;
  channels: ChannelPlan;
  transmitter: Transmitter;
  persistence: MacPersistence;
  random: () => number;
  timing: RxTiming;
  powerDbm: number;
  /** Counts each join accept that failed its checks. */
  onRejected(reason: 'malformed' | 'mic'): void;
  onAttempt(attempt: number, dr: number, devNonce: number): void;
}

export interface JoinOptions {
  /** Give up after this many requests (default 48: about a day under the join duty cycle). */
  maxAttempts?: number;
  /** Upper bound of the random pause between attempts, before the duty cycle (default 30 s). */
  maxBackoffMs?: number;
}

/** Join duty cycle by time since the first attempt (LoRaWAN 1.0.4 §7 retransmission back-off). */
export function joinDutyCycle(elapsedMs: number): number {
  const hour = 3_600_000;
  return elapsedMs < hour ? 0.01 : elapsedMs < 11 * hour ? 0.001 : 0.0001;
}

export async function runJoin(parts: JoinParts, credentials: OtaaCredentials, options: JoinOptions = {}): Promise<Session> {
  const { region, rules, clock, cipher, channels, transmitter, persistence, random } = parts;
  const maxAttempts = options.maxAttempts ?? 48;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const firstAttemptMs = clock.now();
  channels.reset();
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const dr = rules.joinDataRates[Math.floor(attempt / rules.joinAttemptsPerDataRate) % rules.joinDataRates.length];
    const devNonce = persistence.takeDevNonce();
    parts.onAttempt(attempt, dr, devNonce);
    const request = encodeJoinRequest(cipher, { joinEui: credentials.joinEui, devEui: credentials.devEui, devNonce }, credentials.appKey);
    const joinBand = { name: 'join', dutyCycle: joinDutyCycle(clock.now() - firstAttemptMs) };
    const sent = await transmitter.send(request, dr, parts.powerDbm, [joinBand]);
    const windows = joinWindows(region, sent.endMs, dr, sent.channel.frequency);
    const accept = await listen(parts.radio, clock, windows, parts.timing, (bytes) => openAccept(parts, bytes, credentials.appKey));
    if (accept !== undefined) return sessionFrom(parts, accept, credentials.appKey, devNonce);
    await sleep(clock, 1000 + random() * Math.min(maxBackoffMs, 1000 * 2 ** attempt));
  }
  throw new LorawanMacError('LORAWAN_JOIN_FAILED', `no join accept after ${maxAttempts} join requests`,
    'check DevEUI, JoinEUI and AppKey on the network server, and that a gateway is in range; join() may be called again later');
}

function joinWindows(region: Region, endMs: number, dr: number, frequency: number): RxWindowPlan[] {
  const windows: RxWindowPlan[] = [];
  const rx1 = region.rx1(dr, 0, frequency);
  const rx2 = region.rx2Default();
  for (const [window, atMs, rx] of [[1, endMs + JOIN_ACCEPT_DELAY1_MS, rx1], [2, endMs + JOIN_ACCEPT_DELAY2_MS, rx2]] as const) {
    const modulation = loraModulation(region, rx.dataRate);
    if (modulation !== undefined) windows.push({ window, atMs, freqHz: rx.frequency, dataRate: rx.dataRate, ...modulation });
  }
  return windows;
}

function openAccept(parts: JoinParts, bytes: Uint8Array, appKey: Uint8Array): JoinAccept | undefined {
  try {
    return decodeJoinAccept(parts.cipher, bytes, appKey);
  } catch (error) {
    parts.onRejected((error as { code?: string }).code === 'LORAWAN_MIC' ? 'mic' : 'malformed');
    return undefined;
  }
}

function sessionFrom(parts: JoinParts, accept: JoinAccept, appKey: Uint8Array, devNonce: number): Session {
  const keys = deriveSessionKeys(parts.cipher, appKey, { joinNonce: accept.joinNonce, netId: accept.netId, devNonce });
  const session: Session = {
    activation: 'otaa',
    devAddr: accept.devAddr,
    keys,
    devNonce,
    rx1DrOffset: accept.dlSettings.rx1DrOffset,
    rx2: { frequency: parts.region.rx2Default().frequency, dataRate: accept.dlSettings.rx2DataRate },
    rx1DelayMs: accept.rx1DelayS * 1000,
  };
  if (accept.cfList !== undefined) session.cfList = encodeCfList(accept.cfList);
  return session;
}

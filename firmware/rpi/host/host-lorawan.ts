/**
 * LoRaWAN on the Pi: the core's class A MAC (drivers/lorawan/mac) on the
 * transceiver the host config names (host-radio.ts), with this gateway's
 * keys from the host config (`"lorawan"`: never in the site file, which may be
 * shared). Frame counters, DevNonce and the session live in the gateway's
 * meta store, so a restart neither rejoins nor reuses a counter.
 */
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { LoraWanMac, LoraWanUplink, type Credentials } from '../../../drivers/lorawan/mac/index.js';
import { createRegion } from '../../../drivers/lorawan/regions/index.js';
import { credentialsFromHex, keyProblems } from '../../../drivers/lorawan/mac/hex-credentials.js';
import type { Clock } from '../../../drivers/ports/clock.js';
import type { KeyValueStore } from '../../../drivers/ports/storage.js';
import { NodeBlockCipher } from '../ports/node-cipher.js';
import { openHostRadio, piRadioParts, type RadioHostParts, type SpiRadioConfig } from './host-radio.js';

/** The host config's `lorawan` section: this device's identity and keys. */
export interface LorawanKeysConfig {
  devEui?: string;
  joinEui?: string;
  appKey?: string;
  /** A file holding the AppKey as hex (readable by the gateway user only). */
  appKeyFile?: string;
  devAddr?: string;
  nwkSKey?: string;
  appSKey?: string;
  /** Open receive windows this much early and keep them open as much longer, ms (default 15: Node timers on a Pi fire a few ms late). */
  rxMarginMs?: number;
}

type LorawanSite = Extract<SiteFile['uplink'], { kind: 'lorawan' }>;

/** What the `lorawan` section lacks for the site's activation (JSON paths under $.lorawan). */
export function lorawanKeyProblems(uplink: LorawanSite, keys: LorawanKeysConfig | undefined): Array<{ path: string; message: string; fix: string }> {
  if (keys?.appKey !== undefined && keys.appKeyFile !== undefined) return [{ path: '$.lorawan', message: 'both appKey and appKeyFile are given', fix: 'keep one of them' }];
  const { missing } = keyProblems(uplink.activation, keys, (field) => field === 'appKey' && keys?.appKeyFile !== undefined);
  if (missing.length === 0) return [];
  return [{
    path: '$.lorawan',
    message: `the site joins by ${uplink.activation.toUpperCase()} and the host config lacks ${missing.join(', ')}`,
    fix: uplink.activation === 'otaa'
      ? 'add "lorawan": { "devEui": "…16 hex…", "joinEui": "…16 hex…", "appKeyFile": "/etc/axon/appkey" } as registered on the network server'
      : 'add "lorawan": { "devAddr": "…8 hex…", "nwkSKey": "…32 hex…", "appSKey": "…32 hex…" } as registered on the network server',
  }];
}

export function credentialsOf(uplink: LorawanSite, keys: LorawanKeysConfig, readSecret: (file: string, what: string) => string): Credentials {
  const appKey = uplink.activation === 'otaa' ? keys.appKey ?? readSecret(keys.appKeyFile ?? '', 'LoRaWAN AppKey') : undefined;
  return credentialsFromHex(uplink.activation, { ...keys, appKey });
}

export interface HostLoraWanOptions {
  site: SiteFile;
  radio: SpiRadioConfig;
  keys: LorawanKeysConfig;
  clock: Clock;
  /** The gateway's meta store ('lw.' keys). */
  store: KeyValueStore;
  log: (line: string) => void;
  readSecret: (file: string, what: string) => string;
  /** Default: this Pi's spidev and GPIO. */
  parts?: RadioHostParts;
  gpioRoot?: string;
}

export interface HostLoraWan {
  mac: LoraWanMac;
  uplink: LoraWanUplink;
  describe: string;
  /** For the report line: join state, DR, frames on air. */
  report(): string;
  close(): void;
}

export function startHostLoraWan(options: HostLoraWanOptions): HostLoraWan {
  const uplinkConfig = options.site.uplink;
  if (uplinkConfig.kind !== 'lorawan') throw new Error('startHostLoraWan: the site uplink is not lorawan');
  const region = createRegion(uplinkConfig.region);
  const credentials = credentialsOf(uplinkConfig, options.keys, options.readSecret);
  const radio = openHostRadio(options.radio, options.clock, options.parts ?? piRadioParts(options.gpioRoot));
  const log = options.log;
  const mac = new LoraWanMac({
    region,
    radio,
    clock: options.clock,
    cipher: new NodeBlockCipher(),
    store: options.store,
    credentials,
    dataRate: uplinkConfig.dataRate,
    adr: uplinkConfig.adr ?? true,
    rxTiming: { marginMs: options.keys.rxMarginMs ?? 15 },
    onEvent: (event) => {
      if (event.type === 'joined') log(`LoRaWAN: joined, DevAddr ${event.devAddr.toString(16).padStart(8, '0')}`);
      else if (event.type === 'join-request') log(`LoRaWAN: join request ${event.attempt} at DR${event.dataRate}`);
    },
  });
  const uplink = new LoraWanUplink(mac);
  // Join in the background: the gateway polls and alarms from the first second; the log keeps what waits for the join.
  if (credentials.activation === 'otaa' && !mac.joined) {
    mac.join().catch((error: unknown) => log(`LoRaWAN: join failed: ${(error as Error).message} (the next send tries again)`));
  }
  return {
    mac,
    uplink,
    describe: `LoRaWAN ${region.name} ${credentials.activation.toUpperCase()} through ${options.radio.type.toUpperCase()} on ${options.radio.spi}`,
    report() {
      const joined = mac.devAddr === undefined ? 'not joined' : `DevAddr ${mac.devAddr.toString(16).padStart(8, '0')}`;
      return `LoRaWAN ${joined} DR${mac.dataRate}, ${mac.counters.uplinks} frames on air (${mac.counters.retransmissions} retries)`;
    },
    close: () => mac.close(),
  };
}

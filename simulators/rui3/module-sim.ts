/**
 * A RAK3172-class module running RUI3 firmware, as the host sees it over its
 * UART: the AT command set (RUI3 AT command manual: AT+JOIN, AT+SEND, AT+CFM,
 * AT+DR, AT+BAND, AT+NJS, …), OK / AT_* status lines, and +EVT: events. Inside,
 * the module's LoRaWAN MAC is ours (drivers/lorawan/mac) on whatever Radio it
 * is given, usually a device radio on the simulated LoRa channel
 * (simulators/radio) with a network server on the same channel.
 *
 * Written apart from the driver (drivers/rui3) on purpose: its own command
 * parser, its own reply formatting, so the two sides do not share a
 * misunderstanding. Runtime-neutral: it runs inside XS in the core tests.
 */
import { fromHex, toHex, asciiBytes } from '../../drivers/bytes.js';
import type { BlockCipher } from '../../drivers/ports/block-cipher.js';
import type { ByteStream } from '../../drivers/ports/byte-stream.js';
import type { Clock } from '../../drivers/ports/clock.js';
import type { Radio } from '../../drivers/ports/radio.js';
import type { KeyValueStore } from '../../drivers/ports/storage.js';
import { LoraWanMac } from '../../drivers/lorawan/mac/mac.js';
import { createRegion, type RegionName } from '../../drivers/lorawan/regions/index.js';

/** AT+BAND numbers (RUI3 manual) → our region names; the other bands are refused with AT_PARAM_ERROR. */
const BANDS: Readonly<Record<number, RegionName>> = { 1: 'CN470', 4: 'EU868', 5: 'US915', 8: 'AS923' };

export interface Rui3ModuleSimOptions {
  /** The module's end of the UART. */
  stream: ByteStream;
  clock: Clock;
  /** The module's LoRa radio (a SimulatedDeviceRadio on a channel). */
  radio: Radio;
  cipher: BlockCipher;
  /** The module's flash: DevNonce and frame counters survive ATZ here. */
  store: KeyValueStore;
  /** Factory DevEUI (RAK3172s ship with one), 16 hex digits. */
  devEui?: string;
  /** Echo commands back (ATE toggles). Default false, as RUI3 ships. */
  echo?: boolean;
  /** Seed of the MAC's channel choice and back-off. */
  seed?: number;
  /** The MAC's receive-window margin (a host with a late timer needs one). */
  rxMarginMs?: number;
}

export interface Rui3ModuleStats {
  commands: number;
  joinRequests: number;
  joins: number;
  uplinks: number;
  confirmedOk: number;
  confirmedFailed: number;
  downlinks: number;
  busyAnswers: number;
}

interface Settings {
  nwm: number;
  njm: number;
  band: number;
  devEui: string;
  appEui: string;
  appKey: string;
  adr: boolean;
  dr: number;
  cfm: boolean;
  /** AT+RETY: retransmissions of a confirmed frame (0-7). */
  rety: number;
  /** AT+CFS: was the last confirmed frame acknowledged. */
  cfs: boolean;
}

export class Rui3ModuleSimulator {
  readonly stats: Rui3ModuleStats = { commands: 0, joinRequests: 0, joins: 0, uplinks: 0, confirmedOk: 0, confirmedFailed: 0, downlinks: 0, busyAnswers: 0 };
  /** Every command line received, for tests. */
  readonly received: string[] = [];
  readonly #o: Rui3ModuleSimOptions;
  readonly #radio: Radio;
  #settings: Settings;
  #echo: boolean;
  #buffer = '';
  #mac: LoraWanMac | undefined;
  #busy = false;
  /** The join or send under way (a settled promise when idle). */
  #work: Promise<void> = Promise.resolve();
  #lastRx = '0:';
  /** Receive windows opened since the last transmission: 1 → RX_1, 2 → RX_2. */
  #windowsSinceTx = 0;
  #closed = false;

  constructor(options: Rui3ModuleSimOptions) {
    this.#o = options;
    this.#echo = options.echo ?? false;
    this.#settings = defaults(options.devEui ?? 'AC1F09FFFE000001');
    this.#radio = this.#countWindows(options.radio);
    options.stream.onReadable = (bytes) => this.#onBytes(bytes);
  }

  /** The MAC of the current session (undefined before AT+JOIN). */
  get mac(): LoraWanMac | undefined {
    return this.#mac;
  }

  get joined(): boolean {
    return this.#mac?.joined === true;
  }

  /** True while a join or a send is under way (the module answers AT_BUSY_ERROR). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Resolves once the join or send under way has ended (at once when idle). */
  whenIdle(): Promise<void> {
    return this.#work;
  }

  /** Power cycle: the session is gone (RUI3 keeps settings and DevNonce in flash), the banner is printed. */
  reset(): void {
    this.#mac?.close();
    this.#mac = undefined;
    this.#busy = false;
    this.#buffer = '';
    this.#write('RAKwireless RAK3172-E Example');
    this.#write('------------------------------------------------------');
    this.#write('Current Work Mode: LoRaWAN.');
  }

  close(): void {
    this.#closed = true;
    this.#mac?.close();
    this.#o.radio.close();
    this.#o.stream.onReadable = undefined;
  }

  #onBytes(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      if (c === 13 || c === 10) {
        const line = this.#buffer.trim();
        this.#buffer = '';
        if (line.length > 0) this.#onLine(line);
      } else if (this.#buffer.length < 600) {
        this.#buffer += String.fromCharCode(c);
      }
    }
  }

  #write(line: string): void {
    if (this.#closed) return;
    this.#o.stream.write(asciiBytes(`${line}\r\n`));
  }

  #ok(value?: string): void {
    if (value !== undefined) this.#write(value);
    this.#write('OK');
  }

  #onLine(line: string): void {
    this.stats.commands++;
    this.received.push(line);
    if (this.#echo) this.#write(line);
    const upper = line.toUpperCase();
    if (upper === 'AT') return this.#ok();
    if (upper === 'ATZ') return this.reset();
    if (upper === 'ATE') {
      this.#echo = !this.#echo;
      return this.#ok();
    }
    const match = /^AT(\+[A-Z0-9]+)(=\?|\?|=)?(.*)$/i.exec(line);
    if (match === null) return this.#write('AT_COMMAND_NOT_FOUND');
    const name = match[1].toUpperCase();
    const op = match[2] ?? '';
    const value = match[3];
    if (op === '?') return this.#ok(`AT${name}: ${name.slice(1)} (simulated RUI3)`);
    if (op === '=?') return this.#query(name);
    if (op === '=') return this.#set(name, value);
    if (value.length > 0) return this.#write('AT_PARAM_ERROR');
    if (name === '+JOIN') return this.#join(1, 8, 0);
    return this.#write('AT_COMMAND_NOT_FOUND');
  }

  #query(name: string): void {
    const s = this.#settings;
    const values: Record<string, string> = {
      '+VER': 'RUI_4.1.0_RAK3172-E (simulated)',
      '+NWM': String(s.nwm),
      '+NJM': String(s.njm),
      '+NJS': this.joined ? '1' : '0',
      '+CLASS': 'A',
      '+BAND': String(s.band),
      '+DEVEUI': s.devEui,
      '+APPEUI': s.appEui,
      '+APPKEY': s.appKey,
      '+ADR': s.adr ? '1' : '0',
      '+DR': String(this.#mac?.joined === true ? this.#mac.dataRate : s.dr),
      '+CFM': s.cfm ? '1' : '0',
      '+CFS': s.cfs ? '1' : '0',
      '+RETY': String(s.rety),
      '+RECV': this.#lastRx,
      '+DEVADDR': this.#mac?.devAddr === undefined ? '00000000' : this.#mac.devAddr.toString(16).toUpperCase().padStart(8, '0'),
    };
    const answer = values[name];
    if (answer === undefined) return this.#write('AT_COMMAND_NOT_FOUND');
    this.#ok(`AT${name}=${answer}`);
  }

  #set(name: string, value: string): void {
    const s = this.#settings;
    const hex = (digits: number) => new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(value);
    const flag = value === '0' || value === '1';
    // Settings that change the session may not change while the radio works.
    if (this.#busy && name !== '+CFM') {
      this.stats.busyAnswers++;
      return this.#write('AT_BUSY_ERROR');
    }
    switch (name) {
      case '+NWM':
        if (value !== '1') return this.#write(value === '0' ? 'AT_MODE_NO_SUPPORT' : 'AT_PARAM_ERROR');
        s.nwm = 1;
        return this.#ok();
      case '+NJM':
        if (value !== '1') return this.#write(value === '0' ? 'AT_MODE_NO_SUPPORT' : 'AT_PARAM_ERROR');
        return this.#ok();
      case '+CLASS':
        if (value.toUpperCase() !== 'A') return this.#write(/^[BC]$/i.test(value) ? 'AT_NO_CLASSB_ENABLE' : 'AT_PARAM_ERROR');
        return this.#ok();
      case '+BAND':
        if (!/^\d{1,2}$/.test(value) || BANDS[Number(value)] === undefined) return this.#write('AT_PARAM_ERROR');
        s.band = Number(value);
        return this.#ok();
      case '+DEVEUI':
        if (!hex(16)) return this.#write('AT_PARAM_ERROR');
        s.devEui = value.toUpperCase();
        return this.#ok();
      case '+APPEUI':
        if (!hex(16)) return this.#write('AT_PARAM_ERROR');
        s.appEui = value.toUpperCase();
        return this.#ok();
      case '+APPKEY':
        if (!hex(32)) return this.#write('AT_PARAM_ERROR');
        s.appKey = value.toUpperCase();
        return this.#ok();
      case '+ADR':
        if (!flag) return this.#write('AT_PARAM_ERROR');
        s.adr = value === '1';
        return this.#ok();
      case '+RETY':
        if (!/^[0-7]$/.test(value)) return this.#write('AT_PARAM_ERROR');
        s.rety = Number(value);
        return this.#ok();
      case '+CFM':
        if (!flag) return this.#write('AT_PARAM_ERROR');
        s.cfm = value === '1';
        return this.#ok();
      case '+DR': {
        const region = createRegion(BANDS[s.band]);
        if (!/^\d{1,2}$/.test(value) || !region.uplinkDataRates.includes(Number(value))) return this.#write('AT_PARAM_ERROR');
        s.dr = Number(value);
        return this.#ok();
      }
      case '+JOIN': {
        // AT+JOIN=<1 join | 0 stop>:<auto-join 0|1>:<interval 7-255 s>:<attempts 0-255>
        const fields = value.split(':');
        const [start, auto = '0', interval = '8', attempts = '0'] = fields;
        const ok = fields.length <= 4 && (start === '1' || start === '0') && (auto === '0' || auto === '1')
          && /^\d{1,3}$/.test(interval) && Number(interval) >= 7 && Number(interval) <= 255 && /^\d{1,3}$/.test(attempts) && Number(attempts) <= 255;
        if (!ok) return this.#write('AT_PARAM_ERROR');
        if (start === '0') return this.#ok();
        return this.#join(Math.max(1, Number(attempts)), Number(interval), 0);
      }
      case '+SEND':
        return this.#send(value);
      default:
        return this.#write('AT_COMMAND_NOT_FOUND');
    }
  }

  #join(attempts: number, intervalS: number, _auto: number): void {
    if (this.#busy) {
      this.stats.busyAnswers++;
      return this.#write('AT_BUSY_ERROR');
    }
    const s = this.#settings;
    this.#mac?.close();
    let failedAttempts = 0;
    const mac = new LoraWanMac({
      region: createRegion(BANDS[s.band]),
      radio: this.#radio,
      clock: this.#o.clock,
      cipher: this.#o.cipher,
      store: this.#o.store,
      credentials: { activation: 'otaa', devEui: fromHex(s.devEui), joinEui: fromHex(s.appEui), appKey: fromHex(s.appKey) },
      adr: s.adr,
      dataRate: s.dr,
      seed: this.#o.seed,
      join: { maxAttempts: attempts, maxBackoffMs: intervalS * 1000 },
      confirmedAttempts: s.rety + 1,
      rxTiming: this.#o.rxMarginMs === undefined ? undefined : { marginMs: this.#o.rxMarginMs },
      onEvent: (event) => {
        if (event.type !== 'join-request') return;
        this.stats.joinRequests++;
        // A new request means the previous one got no accept: RUI3 reports each failed attempt.
        if (event.attempt > failedAttempts) {
          failedAttempts++;
          this.#write('+EVT:JOIN_FAILED_RX_TIMEOUT');
        }
      },
    });
    mac.onDownlink = (downlink) => this.#onDownlink(downlink.port, downlink.payload);
    this.#mac = mac;
    this.#busy = true;
    this.#ok();
    this.#work = mac.join().then(
      () => {
        this.stats.joins++;
        this.#write('+EVT:JOINED');
      },
      () => this.#write('+EVT:JOIN_FAILED_RX_TIMEOUT'),
    ).finally(() => {
      if (this.#mac === mac) this.#busy = false;
    });
  }

  #send(value: string): void {
    const match = /^(\d{1,3}):([0-9A-Fa-f]*)$/.exec(value);
    if (match === null || match[2].length % 2 !== 0 || match[2].length === 0) return this.#write('AT_PARAM_ERROR');
    const port = Number(match[1]);
    if (port < 1 || port > 223) return this.#write('AT_PARAM_ERROR');
    const mac = this.#mac;
    if (mac === undefined || !mac.joined) return this.#write('AT_NO_NETWORK_JOINED');
    const payload = fromHex(match[2]);
    const region = createRegion(BANDS[this.#settings.band]);
    if (payload.length > region.maxPayload(mac.dataRate)) return this.#write('AT_PARAM_ERROR');
    const confirmed = this.#settings.cfm;
    this.#busy = true;
    this.#ok();
    this.#work = this.#transmit(mac, port, payload, confirmed).finally(() => {
      if (this.#mac === mac) this.#busy = false;
    });
  }

  async #transmit(mac: LoraWanMac, port: number, payload: Uint8Array, confirmed: boolean): Promise<void> {
    try {
      // MAC answers that no longer fit beside the payload go first in an empty frame, as LoRaMac-node does.
      if (payload.length > mac.maxPayloadBytes()) await mac.sendFrame({ confirmed: false });
      this.stats.uplinks++;
      await mac.sendFrame({ port, payload, confirmed });
      if (confirmed) {
        this.#settings.cfs = true;
        this.stats.confirmedOk++;
        this.#write('+EVT:SEND_CONFIRMED_OK');
      } else {
        this.#write('+EVT:TX_DONE');
      }
    } catch {
      if (this.#mac !== mac) return; // reset meanwhile: nothing is reported
      this.#settings.cfs = false;
      if (confirmed) {
        this.stats.confirmedFailed++;
        // The number is LoRaMac-node's status (4: RX2 timeout) as RUI3 prints it.
        this.#write('+EVT:SEND_CONFIRMED_FAILED(4)');
      } else {
        this.#write('+EVT:TX_DONE');
      }
    }
  }

  #onDownlink(port: number, payload: Uint8Array): void {
    this.stats.downlinks++;
    const status = this.#radio.packetStatus();
    const hex = toHex(payload).toUpperCase();
    this.#lastRx = `${port}:${hex}`;
    const window = this.#windowsSinceTx >= 2 ? '2' : '1';
    this.#write(`+EVT:RX_${window}:${Math.round(status?.rssiDbm ?? -100)}:${Math.round(status?.snrDb ?? 0)}:UNICAST:${port}:${hex}`);
  }

  /** The radio with a count of receive windows since the last transmission (which window a downlink came in). */
  #countWindows(radio: Radio): Radio {
    return {
      transmit: (request) => {
        this.#windowsSinceTx = 0;
        return radio.transmit(request);
      },
      receive: (request) => {
        this.#windowsSinceTx++;
        return radio.receive(request);
      },
      packetStatus: () => radio.packetStatus(),
      // A MAC session ending (ATZ, a new AT+JOIN) leaves the module's radio powered; close() of the module releases it.
      close: () => undefined,
    };
  }
}

function defaults(devEui: string): Settings {
  return { nwm: 1, njm: 1, band: 4, devEui: devEui.toUpperCase(), appEui: '0000000000000000', appKey: '00000000000000000000000000000000', adr: true, dr: 0, cfm: false, rety: 3, cfs: false };
}

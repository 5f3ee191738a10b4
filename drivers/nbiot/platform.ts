/**
 * The operator's CoAP IoT platform (China Telecom / Huawei OceanConnect style):
 * the module holds the CoAP session itself, we only hand it message bodies.
 * AT+NCDP=<ip>,<port> sets the platform, AT+NMGS=<len>,<hex> sends, and
 * +NNMI:<len>,<hex> brings messages down. Firmwares configured with
 * AT+NNMI=2 send a bare "+NNMI" and want AT+NMGR; both are handled.
 */
import { fromHex, toHex } from '../bytes.js';
import { intArg, isHex, splitArgs } from './at-args.js';
import { NbIotError } from './errors.js';
import type { NbIotModem } from './modem.js';
import type { Urc } from './urc.js';

export const PLATFORM_MAX_PAYLOAD = 512;

export class NbIotPlatform {
  onMessage: ((payload: Uint8Array) => void) | undefined;
  /** Messages lost to failed AT+NMGR reads or malformed notifications. */
  readErrors = 0;
  readonly #modem: NbIotModem;
  readonly #off: () => void;

  constructor(modem: NbIotModem) {
    this.#modem = modem;
    this.#off = modem.engine.onUrc('+NNMI', (urc) => this.#notified(urc));
  }

  /** Point the module at the platform (stored by the module; harmless to repeat). */
  async configure(ip: string, port = 5683): Promise<void> {
    await this.#modem.command(`AT+NCDP=${ip},${port}`);
  }

  /** Hand one message to the module; delivery is confirmed only by an application ack (see NbIotUplink). */
  async send(payload: Uint8Array): Promise<void> {
    if (payload.length > PLATFORM_MAX_PAYLOAD) {
      throw new NbIotError('NBIOT_PAYLOAD_TOO_LARGE', `message of ${payload.length} bytes exceeds the ${PLATFORM_MAX_PAYLOAD}-byte platform limit`, {
        fix: 'split the batch into smaller messages',
      });
    }
    await this.#modem.command(`AT+NMGS=${payload.length},${toHex(payload).toUpperCase()}`);
  }

  detach(): void {
    this.#off();
  }

  #notified(urc: Urc): void {
    const [length, hex] = urc.args;
    if (hex !== undefined) {
      if (isHex(hex) && Number(length) * 2 === hex.length) this.onMessage?.(fromHex(hex));
      else this.readErrors++;
      return;
    }
    this.#fetch().catch(() => {
      this.readErrors++;
    });
  }

  async #fetch(): Promise<void> {
    const command = 'AT+NMGR';
    const reply = await this.#modem.command(command);
    for (const line of reply.lines) {
      const [length, hex] = splitArgs(line);
      if (hex !== undefined && isHex(hex) && intArg(length, command, 'length', line) * 2 === hex.length) this.onMessage?.(fromHex(hex));
    }
  }
}

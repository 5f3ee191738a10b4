/**
 * UDP sockets on the module: AT+NSOCR / AT+NSOST / AT+NSORF / AT+NSOCL.
 * Receiving is URC-driven: +NSONMI:<socket>,<length> says a datagram waits,
 * and we fetch it with AT+NSORF. Some firmwares answer NSORF without the
 * "+NSORF:" prefix; the engine hands us the fields either way.
 */
import { toHex, fromHex, concatBytes } from '../bytes.js';
import { badReply, intArg, isHex, splitArgs } from './at-args.js';
import { NbIotError } from './errors.js';
import type { NbIotModem } from './modem.js';
import type { Urc } from './urc.js';

/** BC95/BC28 limit for one AT+NSOST / AT+NSORF. */
export const UDP_MAX_PAYLOAD = 512;

export interface Datagram {
  socket: number;
  ip: string;
  port: number;
  payload: Uint8Array;
}

export interface UdpStats {
  sent: number;
  received: number;
  /** NSORF reads that failed (timeout, bad reply); the datagram is lost. */
  readErrors: number;
}

export class NbIotUdp {
  onDatagram: ((datagram: Datagram) => void) | undefined;
  readonly stats: UdpStats = { sent: 0, received: 0, readErrors: 0 };
  readonly #modem: NbIotModem;
  readonly #off: () => void;
  /** Sockets with a read in progress, and those notified again meanwhile (reads are coalesced, one per socket). */
  readonly #reading = new Set<number>();
  readonly #notifiedAgain = new Set<number>();

  constructor(modem: NbIotModem) {
    this.#modem = modem;
    this.#off = modem.engine.onUrc('+NSONMI', (urc) => this.#notified(urc));
  }

  /** Open a UDP socket bound to `localPort` (0: the module picks) with receive notifications on. */
  async open(localPort = 0): Promise<number> {
    const command = `AT+NSOCR=DGRAM,17,${localPort},1`;
    const reply = await this.#socketCommand(command);
    for (const line of reply.lines) {
      if (/^\d{1,2}$/.test(line.trim())) return Number(line.trim());
    }
    throw badReply(command, 'expected a socket id', reply.lines[0]);
  }

  /** Send one datagram; resolves once the module has queued it (UDP itself gives no delivery guarantee). */
  async send(socket: number, ip: string, port: number, payload: Uint8Array): Promise<void> {
    if (payload.length > UDP_MAX_PAYLOAD) {
      throw new NbIotError('NBIOT_PAYLOAD_TOO_LARGE', `datagram of ${payload.length} bytes exceeds the module's ${UDP_MAX_PAYLOAD}-byte limit`, {
        fix: 'split the batch into smaller messages',
      });
    }
    if (!/^[0-9A-Za-z.:-]{1,64}$/.test(ip)) {
      throw new NbIotError('NBIOT_BAD_ARGUMENT', `"${ip}" is not an IP address`, { fix: 'BC95-class modules take a literal IPv4 address; resolve names on the server side' });
    }
    const command = `AT+NSOST=${socket},${ip},${port},${payload.length},${toHex(payload).toUpperCase()}`;
    const reply = await this.#socketCommand(command);
    // Expected "<socket>,<length>"; a firmware that sends nothing before OK has still queued the data.
    const fields = reply.lines.map((line) => splitArgs(line)).find((f) => f.length === 2);
    if (fields !== undefined && intArg(fields[1], command, 'sent length') !== payload.length) {
      throw new NbIotError('NBIOT_SOCKET', `the module queued ${fields[1]} of ${payload.length} bytes`, { command, fix: 'retry; the module buffer may be full' });
    }
    this.stats.sent++;
  }

  async close(socket: number): Promise<void> {
    await this.#socketCommand(`AT+NSOCL=${socket}`);
  }

  /** Stop reacting to +NSONMI. */
  detach(): void {
    this.#off();
  }

  /** Socket commands fail with NBIOT_SOCKET (keeping the module's error as cause) so callers can reopen. */
  async #socketCommand(command: string): Promise<{ lines: string[] }> {
    try {
      return await this.#modem.command(command);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'NBIOT_CME_ERROR' && code !== 'NBIOT_ERROR') throw error;
      throw new NbIotError('NBIOT_SOCKET', `socket command failed: ${(error as Error).message}`, {
        command,
        fix: 'the driver reopens the socket and retries; if it persists, check attach state (AT+CGATT?) and coverage',
        cause: error,
      });
    }
  }

  #notified(urc: Urc): void {
    // "+NSONMI:<socket>,<length>" on most firmwares; "+NSONMI:<socket>,<ip>,<port>,<length>,<hex>" in direct mode.
    const args = urc.args;
    if (args.length >= 5 && isHex(args[4])) {
      const datagram = { socket: Number(args[0]), ip: args[1], port: Number(args[2]), payload: fromHex(args[4]) };
      if (Number.isInteger(datagram.socket) && Number.isInteger(datagram.port)) this.#deliver(datagram);
      return;
    }
    const socket = Number(args[0]);
    if (!Number.isInteger(socket) || socket < 0) return;
    if (this.#reading.has(socket)) {
      this.#notifiedAgain.add(socket);
      return;
    }
    this.#reading.add(socket);
    this.#read(socket)
      .catch(() => {
        this.stats.readErrors++;
      })
      .finally(() => {
        this.#reading.delete(socket);
        if (this.#notifiedAgain.delete(socket)) this.#notified(urc);
      });
  }

  async #read(socket: number): Promise<void> {
    const parts: Uint8Array[] = [];
    // A datagram larger than one read arrives in pieces ("remaining" > 0); the bound keeps a lying module from looping us.
    for (let i = 0; i < 8; i++) {
      const command = `AT+NSORF=${socket},${UDP_MAX_PAYLOAD}`;
      const reply = await this.#modem.command(command);
      const line = reply.lines.find((l) => splitArgs(l).length >= 6);
      if (line === undefined) {
        if (reply.lines.length === 0) return; // nothing waiting (already read)
        throw badReply(command, 'expected "<socket>,<ip>,<port>,<length>,<hex>,<remaining>"', reply.lines[0]);
      }
      const [s, ip, port, length, hex, remaining] = splitArgs(line);
      if (!isHex(hex) || hex.length !== 2 * intArg(length, command, 'length', line)) throw badReply(command, 'payload length does not match', line);
      parts.push(fromHex(hex));
      if (intArg(remaining, command, 'remaining', line) === 0) {
        this.#deliver({ socket: intArg(s, command, 'socket', line), ip, port: intArg(port, command, 'port', line), payload: concatBytes(...parts) });
        return;
      }
    }
    throw badReply(`AT+NSORF=${socket},${UDP_MAX_PAYLOAD}`, 'datagram still incomplete after 8 reads', undefined);
  }

  #deliver(datagram: Datagram): void {
    this.stats.received++;
    this.onDatagram?.(datagram);
  }
}

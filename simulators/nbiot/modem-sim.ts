/**
 * A Quectel BC28/BC95-class modem on the far end of a ByteStream: answers AT
 * commands with clock-based delays, attaches after a configurable time (or
 * never, without coverage), runs UDP sockets, the CoAP platform and MQTT
 * against a simulated network, and injects the failures field units show:
 * slow or no attach, socket errors, self-reboots, echo, NSORF without prefix,
 * UART noise. Runtime-neutral: runs in XS tests and behind a pty on Node.
 */
import type { ByteStream } from '../../drivers/ports/byte-stream.js';
import type { Clock, TimerHandle } from '../../drivers/ports/clock.js';
import { asciiBytes, fromHex } from '../../drivers/bytes.js';
import { mulberry32 } from '../models/prng.js';
import { parseSimCommand, type SimCommand } from './at-command.js';
import { hexUpper, num, type SimIo } from './sim-io.js';
import { SimMqtt } from './sim-mqtt.js';
import { SimSockets, type SimDatagram } from './sim-sockets.js';

export type { SimDatagram } from './sim-sockets.js';

export interface NbIotModemSimFaults {
  /** Probability that an AT+NSOST is refused with +CME ERROR: 159. */
  socketErrorRate?: number;
  /** Probability that a reply is preceded by a burst of binary noise. */
  noiseRate?: number;
  /** Probability that the module reboots instead of answering a command. */
  rebootRate?: number;
}

export interface NbIotModemSimOptions {
  stream: ByteStream;
  clock: Clock;
  seed?: number;
  /** Keep every command line in `commands` (default true); false for long runs that only need the traffic. */
  recordCommands?: boolean;
  /** Echo commands back (modules boot with echo on). Default true. */
  echo?: boolean;
  /** Prefix AT+NSORF replies with "+NSORF:" (some firmwares do not). Default true. */
  nsorfPrefix?: boolean;
  /** Network coverage; without it CGATT stays 0. Default true. */
  coverage?: boolean;
  /** Time from attach request to attached. Default 8000 ms. */
  attachDelayMs?: number;
  /** Start attaching after AT+CFUN=1 without waiting for AT+CGATT=1 (BC95 AUTOCONNECT). Default true. */
  autoAttach?: boolean;
  /** Answer delay for ordinary commands. Default 30 ms. */
  replyDelayMs?: number;
  /** AT+CFUN=1 takes this long. Default 1500 ms. */
  radioDelayMs?: number;
  /** One-way network latency to and from the servers. Default 400 ms. */
  networkDelayMs?: number;
  /** From reset to the REBOOT banner. Default 500 ms. */
  bootDelayMs?: number;
  /** CSQ rssi index while attached (0–31). Default 20 (-73 dBm). */
  rssiIndex?: number;
  faults?: NbIotModemSimFaults;
}

/** Scripted answer for the next command(s) with a given name, e.g. failNext('+NSOST', { reply: '+CME ERROR: 159' }). */
export type SimFault = { reply: string } | { reboot: true } | { silence: true };

const MAX_COMMAND_LENGTH = 4096;

export class NbIotModemSimulator {
  /** Every command line received, in order (for assertions). */
  readonly commands: string[] = [];
  /** UDP datagrams leaving the modem; `reply` sends one back to the same socket. */
  onUdp: ((datagram: SimDatagram, reply: (payload: Uint8Array) => void) => void) | undefined;
  /** Messages to the CoAP platform (AT+NMGS); `reply` sends one down (+NNMI). */
  onPlatform: ((payload: Uint8Array, reply: (payload: Uint8Array) => void) => void) | undefined;
  /** The MQTT side: set `mqtt.onPublish` and `mqtt.credentials`, push with `mqtt.push()`. */
  readonly mqtt: SimMqtt;
  reboots = 0;

  readonly #stream: ByteStream;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #options: Required<Omit<NbIotModemSimOptions, 'stream' | 'clock' | 'seed' | 'faults' | 'echo' | 'coverage' | 'recordCommands'>>;
  readonly #recordCommands: boolean;
  readonly #echoDefault: boolean;
  readonly #faults: NbIotModemSimFaults;
  readonly #scripted: Array<{ name: string; fault: SimFault }> = [];
  #input = '';
  /** Bumped on reboot: output scheduled by the previous life is dropped. */
  #life = 0;
  #booting = false;
  #echo: boolean;
  #cfun = 0;
  #cmee = 0;
  #cereg = 0;
  #attachWanted = false;
  #attached = false;
  #attachTimer: TimerHandle | undefined;
  #coverage: boolean;
  #psm = '0,,,,';
  readonly #sockets: SimSockets;
  #ncdp: string | undefined;

  constructor(options: NbIotModemSimOptions) {
    this.#stream = options.stream;
    this.#clock = options.clock;
    this.#random = mulberry32(options.seed ?? 1);
    this.#recordCommands = options.recordCommands ?? true;
    this.#echoDefault = options.echo ?? true;
    this.#echo = this.#echoDefault;
    this.#coverage = options.coverage ?? true;
    this.#faults = options.faults ?? {};
    this.#options = {
      nsorfPrefix: options.nsorfPrefix ?? true,
      attachDelayMs: options.attachDelayMs ?? 8000,
      autoAttach: options.autoAttach ?? true,
      replyDelayMs: options.replyDelayMs ?? 30,
      radioDelayMs: options.radioDelayMs ?? 1500,
      networkDelayMs: options.networkDelayMs ?? 400,
      bootDelayMs: options.bootDelayMs ?? 500,
      rssiIndex: options.rssiIndex ?? 20,
    };
    const io: SimIo = {
      ok: (lines, delayMs) => this.#ok(lines, delayMs),
      error: (cme) => this.#error(cme),
      urc: (line, delayMs) => this.#urc(line, delayMs),
      later: (delayMs, action) => this.#later(delayMs, action),
      isAttached: () => this.#attached,
      networkDelayMs: this.#options.networkDelayMs,
    };
    this.#sockets = new SimSockets(io, {
      nsorfPrefix: this.#options.nsorfPrefix,
      network: (datagram, reply) => this.onUdp?.(datagram, reply),
      sendFails: () => this.#roll(this.#faults.socketErrorRate),
    });
    this.mqtt = new SimMqtt(io);
    this.#stream.onReadable = (bytes) => this.#receive(bytes);
  }

  get attached(): boolean {
    return this.#attached;
  }

  get echo(): boolean {
    return this.#echo;
  }

  get openSockets(): number {
    return this.#sockets.count;
  }

  /** Answer the next command named `name` ("+NSOST", "+CGATT", "" for AT) with a fault instead. */
  failNext(name: string, fault: SimFault, times = 1): void {
    for (let i = 0; i < times; i++) this.#scripted.push({ name: name.toUpperCase(), fault });
  }

  setCoverage(on: boolean): void {
    this.#coverage = on;
    if (on) {
      if (this.#attachWanted) this.#startAttach();
      return;
    }
    if (this.#attachTimer !== undefined) this.#clock.cancel(this.#attachTimer);
    this.#attachTimer = undefined;
    if (this.#attached) {
      this.#attached = false;
      if (this.#cereg > 0) this.#urc('+CEREG:2');
    }
  }

  /** Reset the module as a brown-out or watchdog would: every setting and socket is lost. */
  reboot(cause = 'REBOOT_CAUSE_APPLICATION_WATCHDOG'): void {
    this.reboots++;
    this.#life++;
    this.#booting = true;
    this.#input = '';
    this.#echo = this.#echoDefault;
    this.#cfun = 0;
    this.#cmee = 0;
    this.#cereg = 0;
    this.#attachWanted = false;
    this.#attached = false;
    if (this.#attachTimer !== undefined) this.#clock.cancel(this.#attachTimer);
    this.#attachTimer = undefined;
    this.#sockets.clear();
    this.mqtt.reset();
    this.#later(this.#options.bootDelayMs, () => {
      this.#booting = false;
      this.#write(`\r\n${cause}\r\nNeul \r\nOK\r\n`);
    });
  }

  /** Raw bytes onto the UART (noise, glitches, half lines). */
  injectBytes(bytes: Uint8Array): void {
    this.#stream.write(bytes);
  }

  /** A datagram from the network to one of the modem's sockets (→ +NSONMI). */
  deliverUdp(socket: number, fromIp: string, fromPort: number, payload: Uint8Array): boolean {
    return this.#sockets.deliver(socket, fromIp, fromPort, payload);
  }

  /** A message from the CoAP platform (→ +NNMI). */
  pushPlatform(payload: Uint8Array): boolean {
    if (!this.#attached || this.#ncdp === undefined) return false;
    this.#urc(`+NNMI:${payload.length},${hexUpper(payload)}`);
    return true;
  }

  close(): void {
    this.#life++;
    if (this.#attachTimer !== undefined) this.#clock.cancel(this.#attachTimer);
    this.#stream.onReadable = undefined;
  }

  // ---- UART side ----

  #receive(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (byte === 13) {
        const line = this.#input.trim();
        this.#input = '';
        if (line.length > 0) this.#onCommandLine(line);
      } else if (byte !== 10) {
        this.#input = this.#input.length < MAX_COMMAND_LENGTH ? this.#input + String.fromCharCode(byte) : '';
      }
    }
  }

  #onCommandLine(line: string): void {
    if (this.#booting) return; // a booting module does not listen yet
    if (this.#recordCommands) this.commands.push(line);
    if (this.#echo) this.#write(`${line}\r\n`);
    const command = parseSimCommand(line);
    if (command === undefined) {
      this.#answer(['ERROR'], this.#options.replyDelayMs);
      return;
    }
    const scripted = this.#takeScripted(command.name);
    if (scripted !== undefined) {
      if ('reboot' in scripted) this.reboot('REBOOT_CAUSE_APPLICATION_AT');
      else if ('reply' in scripted) this.#answer([scripted.reply], this.#options.replyDelayMs);
      return;
    }
    if (this.#roll(this.#faults.rebootRate)) {
      this.reboot('REBOOT_CAUSE_SECURITY_RESET_UNKNOWN');
      return;
    }
    this.#handle(command);
  }

  #takeScripted(name: string): SimFault | undefined {
    const index = this.#scripted.findIndex((s) => s.name === name);
    if (index < 0) return undefined;
    return this.#scripted.splice(index, 1)[0].fault;
  }

  #roll(probability: number | undefined): boolean {
    return probability !== undefined && probability > 0 && this.#random() < probability;
  }

  /** Reply lines then a final result, each framed "\r\n...\r\n" as the module does. */
  #answer(lines: string[], delayMs: number): void {
    let text = '';
    for (const line of lines) text += `\r\n${line}\r\n`;
    this.#later(delayMs, () => {
      if (this.#roll(this.#faults.noiseRate)) this.#stream.write(this.#noise());
      this.#write(text);
    });
  }

  #ok(lines: string[] = [], delayMs = this.#options.replyDelayMs): void {
    this.#answer([...lines, 'OK'], delayMs);
  }

  #error(cme?: number): void {
    this.#answer([cme !== undefined && this.#cmee === 1 ? `+CME ERROR: ${cme}` : 'ERROR'], this.#options.replyDelayMs);
  }

  #urc(line: string, delayMs = 0): void {
    this.#later(delayMs, () => this.#write(`\r\n${line}\r\n`));
  }

  #later(delayMs: number, action: () => void): void {
    const life = this.#life;
    this.#clock.schedule(delayMs, () => {
      if (life === this.#life) action();
    });
  }

  #write(text: string): void {
    this.#stream.write(asciiBytes(text));
  }

  #noise(): Uint8Array {
    const length = 1 + Math.floor(this.#random() * 12);
    const out = new Uint8Array(length);
    // High-bit and NUL bytes: what a UART shows when the module browns out or wakes.
    for (let i = 0; i < length; i++) out[i] = this.#random() < 0.3 ? 0 : 0x80 + Math.floor(this.#random() * 128);
    return out;
  }

  // ---- commands ----

  #handle(command: SimCommand): void {
    const args = command.args;
    switch (command.name) {
      case '':
        return this.#ok();
      case 'E0':
      case 'E1':
        this.#echo = command.name === 'E1';
        return this.#ok();
      case 'I':
        return this.#ok(['Quectel', 'BC95-B8 (simulated)', 'Revision:BC95B8HBR01A01']);
      case '+CGMR':
        return this.#ok(['SECURITY,V100R100C10B657SP3', 'PROTOCOL,V100R100C10B657SP3']);
      case '+CGSN':
        return this.#ok(['+CGSN:860000000000042']);
      case '+CMEE':
        if (command.kind === 'set') this.#cmee = num(args[0]) === 1 ? 1 : 0;
        return this.#ok(command.kind === 'query' ? [`+CMEE:${this.#cmee}`] : []);
      case '+CFUN':
        return this.#cfunCommand(command);
      case '+CGATT':
        return this.#cgattCommand(command);
      case '+CEREG':
        if (command.kind === 'set') {
          this.#cereg = num(args[0]);
          return this.#ok();
        }
        return this.#ok([`+CEREG:${this.#cereg},${this.#registration()}`]);
      case '+CSQ':
        return this.#ok([this.#attached ? `+CSQ:${this.#options.rssiIndex},99` : '+CSQ:99,99']);
      case '+CCLK':
        // Network time (NITZ) once attached: UTC with the zone in quarter hours (+32 = UTC+8), as BC95/BC28 print it.
        if (command.kind !== 'query' || !this.#attached) return this.#error();
        return this.#ok([`+CCLK:${cclkTime(this.#clock.unixTimeMs())}+32`]);
      case '+NUESTATS':
        return this.#ok(this.#ueStats());
      case '+CPSMS':
        if (command.kind === 'set') {
          this.#psm = command.args.map((a) => a.text).join(',');
          return this.#ok();
        }
        return this.#ok([`+CPSMS:${this.#psm}`]);
      case '+NSOCR':
        return this.#sockets.create(args);
      case '+NSOST':
        return this.#sockets.send(args);
      case '+NSORF':
        return this.#sockets.read(args);
      case '+NSOCL':
        return this.#sockets.close(args);
      case '+NCDP':
        if (command.kind === 'set') {
          this.#ncdp = `${args[0]?.text ?? ''},${args[1]?.text ?? '5683'}`;
          return this.#ok();
        }
        return this.#ok([`+NCDP:${this.#ncdp ?? ''}`]);
      case '+NMGS':
        return this.#platformSend(args);
      case '+QMTOPEN':
      case '+QMTCONN':
      case '+QMTPUB':
      case '+QMTSUB':
      case '+QMTDISC':
        return this.mqtt.handle(command);
      default:
        return this.#error();
    }
  }

  #registration(): number {
    if (this.#attached) return 1;
    return this.#cfun === 1 && this.#attachWanted ? 2 : 0;
  }

  #cfunCommand(command: SimCommand): void {
    if (command.kind === 'query') return this.#ok([`+CFUN:${this.#cfun}`]);
    const on = num(command.args[0]) === 1;
    this.#cfun = on ? 1 : 0;
    if (on && this.#options.autoAttach) this.#attachWanted = true;
    if (on && this.#attachWanted) this.#later(this.#options.radioDelayMs, () => this.#startAttach());
    if (!on) this.#detach();
    this.#ok([], this.#options.radioDelayMs);
  }

  /** Radio off or detach: registration is gone, coverage itself is unchanged. */
  #detach(): void {
    if (this.#attachTimer !== undefined) this.#clock.cancel(this.#attachTimer);
    this.#attachTimer = undefined;
    this.#attached = false;
  }

  #cgattCommand(command: SimCommand): void {
    if (command.kind === 'query') return this.#ok([`+CGATT:${this.#attached ? 1 : 0}`]);
    if (command.kind !== 'set') return this.#error(50);
    if (this.#cfun !== 1) return this.#error(524);
    if (num(command.args[0]) === 1) {
      this.#attachWanted = true;
      this.#startAttach();
    } else {
      this.#attachWanted = false;
      this.#detach();
    }
    this.#ok();
  }

  #startAttach(): void {
    if (this.#attached || this.#attachTimer !== undefined || !this.#coverage || this.#cfun !== 1) return;
    const life = this.#life;
    this.#attachTimer = this.#clock.schedule(this.#options.attachDelayMs, () => {
      this.#attachTimer = undefined;
      if (life !== this.#life || !this.#coverage) return;
      this.#attached = true;
      if (this.#cereg > 0) this.#urc('+CEREG:1');
    });
  }

  #ueStats(): string[] {
    // Centibels, as the module prints them: -800 is -80.0 dBm.
    const rsrp = this.#attached ? (-140 + 3 * this.#options.rssiIndex) * 10 : -1400;
    return [
      `Signal power:${rsrp}`,
      `Total power:${rsrp + 90}`,
      'TX power:230',
      'TX time:1115',
      'RX time:12934',
      'Cell ID:37720402',
      `ECL:${this.#options.rssiIndex > 15 ? 0 : this.#options.rssiIndex > 8 ? 1 : 2}`,
      'SNR:172',
      'EARFCN:3688',
      'PCI:302',
      'RSRQ:-108',
      'OPERATOR MODE:4',
      'CURRENT BAND:8',
    ];
  }

  #platformSend(args: SimCommand['args']): void {
    const length = num(args[0]);
    const data = args[1]?.text ?? '';
    if (!/^[0-9A-Fa-f]*$/.test(data) || data.length !== 2 * length || length > 512) return this.#error(50);
    if (this.#ncdp === undefined) return this.#error(512);
    if (!this.#attached) return this.#error(513);
    this.#ok();
    const payload = fromHex(data);
    this.#later(this.#options.networkDelayMs, () => {
      this.onPlatform?.(payload, (answer) => this.#later(this.#options.networkDelayMs, () => this.pushPlatform(answer)));
    });
  }
}

/** "yy/MM/dd,hh:mm:ss" in UTC. */
function cclkTime(unixMs: number): string {
  const d = new Date(unixMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())},${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

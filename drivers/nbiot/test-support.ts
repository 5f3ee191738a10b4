/**
 * A scripted modem for AT engine tests: for every command line received it
 * writes whatever the script returns (text, raw bytes, or delayed pieces).
 * Unlike the full simulator it can say anything, including nonsense.
 */
import { asciiBytes } from '../bytes.js';
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock } from '../ports/clock.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { AtEngine, type AtEngineOptions } from './at-engine.js';

export type ScriptStep = string | Uint8Array | { delayMs: number; data: string | Uint8Array };
export type Script = (command: string, index: number) => ScriptStep[] | undefined;

export class ScriptedModem {
  readonly commands: string[] = [];
  /** When set, commands are recorded but nothing is answered. */
  silent = false;
  readonly #stream: ByteStream;
  readonly #clock: Clock;
  #input = '';

  constructor(stream: ByteStream, clock: Clock, script: Script) {
    this.#stream = stream;
    this.#clock = clock;
    stream.onReadable = (bytes) => {
      for (const byte of bytes) {
        if (byte !== 13) {
          this.#input += String.fromCharCode(byte);
          continue;
        }
        const command = this.#input;
        this.#input = '';
        this.commands.push(command);
        if (this.silent) continue;
        for (const step of script(command, this.commands.length - 1) ?? []) this.#play(step);
      }
    };
  }

  /** Write unsolicited bytes now. */
  send(data: string | Uint8Array): void {
    this.#stream.write(typeof data === 'string' ? asciiBytes(data) : data);
  }

  #play(step: ScriptStep): void {
    if (typeof step === 'string' || step instanceof Uint8Array) {
      this.send(step);
      return;
    }
    this.#clock.schedule(step.delayMs, () => this.send(step.data));
  }
}

/** An engine wired to a scripted modem through an instant in-memory pipe, in virtual time. */
export function scriptedEngine(script: Script, options: Omit<AtEngineOptions, 'stream' | 'clock'> = {}) {
  const clock = new VirtualClock();
  const [driverSide, modemSide] = createStreamPair();
  const modem = new ScriptedModem(modemSide, clock, script);
  const engine = new AtEngine({ stream: driverSide, clock, ...options });
  return { clock, engine, modem, driverSide };
}

/**
 * What the simulated modem's feature modules (sockets, MQTT) may do to the
 * UART: answer the current command, emit a URC, or act later in clock time.
 * Everything scheduled through `later` is dropped if the module reboots first.
 */
import { toHex } from '../../drivers/bytes.js';
import type { SimArg } from './at-command.js';

export interface SimIo {
  ok(lines?: string[], delayMs?: number): void;
  /** +CME ERROR: <cme> when AT+CMEE=1, else ERROR. */
  error(cme?: number): void;
  urc(line: string, delayMs?: number): void;
  later(delayMs: number, action: () => void): void;
  isAttached(): boolean;
  readonly networkDelayMs: number;
}

/** A numeric argument, or -1 when absent or not a number (every handler treats -1 as invalid). */
export function num(arg: SimArg | undefined): number {
  return arg !== undefined && /^-?\d+$/.test(arg.text) ? Number(arg.text) : -1;
}

/** Modules print hex in upper case. */
export function hexUpper(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}

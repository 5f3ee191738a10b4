/**
 * Unsolicited result codes: lines the module sends on its own, interleaved with
 * command replies. The engine asks `parseUrc` about every line that is not the
 * pending command's own reply and hands URCs to the router, so a datagram
 * notice arriving between AT+NSOST and its OK is neither lost nor taken for the
 * reply.
 */
import { splitArgs } from './at-args.js';

export interface Urc {
  /** "+NSONMI", "+NNMI", ... or "REBOOT" for every REBOOT_CAUSE_* line. */
  name: string;
  /** Comma-separated fields after the colon; for REBOOT the cause, e.g. "REBOOT_CAUSE_SECURITY_RESET_PIN". */
  args: string[];
  line: string;
}

export type UrcHandler = (urc: Urc) => void;

/** Prefixes BC28/BC95-class firmwares send unsolicited. */
export const URC_NAMES: readonly string[] = [
  '+NSONMI', // datagram waiting on a UDP socket
  '+NSOCLI', // socket closed by the module
  '+NNMI', // message from the CoAP operator platform
  '+NSMI', // send status of an AT+NMGS message
  '+CEREG', // registration status change
  '+CSCON', // RRC connected / idle
  '+NPSMR', // entered / left power saving mode
  '+QLWEVTIND', // LwM2M platform events
  '+QMTSTAT', // MQTT link state change
  '+QMTRECV', // MQTT message received
  '+QMTOPEN', // result of AT+QMTOPEN
  '+QMTCONN', // result of AT+QMTCONN
  '+QMTPUB', // result of AT+QMTPUB (PUBACK)
  '+QMTSUB', // result of AT+QMTSUB
  '+QMTDISC',
  '+QMTCLOSE',
];

export function parseUrc(line: string): Urc | undefined {
  if (line.startsWith('REBOOT_')) return { name: 'REBOOT', args: [line], line };
  if (line[0] !== '+') return undefined;
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  const name = line.slice(0, colon);
  if (!URC_NAMES.includes(name)) return undefined;
  return { name, args: splitArgs(line.slice(colon + 1).trimStart()), line };
}

export class UrcRouter {
  readonly #handlers = new Map<string, UrcHandler[]>();
  /** Handler exceptions, counted rather than thrown into the byte path. */
  handlerErrors = 0;
  /** Called for every URC, e.g. for logging. */
  onAny: UrcHandler | undefined;

  /** Subscribe to one URC name; returns the unsubscribe function. */
  on(name: string, handler: UrcHandler): () => void {
    const list = this.#handlers.get(name) ?? [];
    list.push(handler);
    this.#handlers.set(name, list);
    return () => {
      const current = this.#handlers.get(name);
      if (current === undefined) return;
      const index = current.indexOf(handler);
      if (index >= 0) current.splice(index, 1);
    };
  }

  dispatch(urc: Urc): void {
    this.#call(this.onAny, urc);
    for (const handler of [...(this.#handlers.get(urc.name) ?? [])]) this.#call(handler, urc);
  }

  #call(handler: UrcHandler | undefined, urc: Urc): void {
    if (handler === undefined) return;
    try {
      handler(urc);
    } catch {
      // A buggy subscriber must not break framing for everyone else.
      this.handlerErrors++;
    }
  }
}

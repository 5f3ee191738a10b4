/**
 * How RAK's RUI3 firmware (RAK3172, RAK4630, RAK11720…) talks, for the shared
 * AT engine (drivers/nbiot/at-engine.ts):
 *   - a query answers with the command name and its value, "AT+DR=?" → "AT+DR=3",
 *     then a status line;
 *   - status lines are OK or AT_* codes (AT_PARAM_ERROR, AT_BUSY_ERROR, …);
 *   - asynchronous events start with "+EVT:" and use ':' between fields,
 *     "+EVT:RX_1:-70:8:UNICAST:2:1234";
 *   - echo is off by default (ATE toggles it); an echo is the command verbatim.
 */
import type { AtDialect } from '../nbiot/at-engine.js';
import type { Urc } from '../nbiot/urc.js';
import { Rui3Error, statusError } from './errors.js';

export const EVT = '+EVT';

/** "+EVT:RX_1:-70:8:UNICAST:2:1234" → { name: '+EVT', args: ['RX_1', '-70', '8', 'UNICAST', '2', '1234'] }. */
export function parseRui3Urc(line: string): Urc | undefined {
  if (!line.startsWith(`${EVT}:`)) return undefined;
  return { name: EVT, args: line.slice(EVT.length + 1).split(':'), line };
}

export const RUI3_DIALECT: AtDialect = {
  isEcho: (line, command) => line === command,
  finalResult(line, command) {
    if (line === 'OK') return 'OK';
    if (/^AT_[A-Z_]+$/.test(line)) return statusError(line, command);
    return undefined;
  },
  // "AT+DR=?" → "AT+DR": the value line repeats the command name.
  derivePrefix(command) {
    const match = /^(AT\+[A-Z0-9]+)/i.exec(command);
    return match === null ? null : match[1].toUpperCase();
  },
  replyBody: (line, prefix) => (line.toUpperCase().startsWith(`${prefix}=`) ? line.slice(prefix.length + 1) : undefined),
  parseUrc: parseRui3Urc,
  // Printed after a reset: "RAKwireless RAK3172-E Example", "Current Work Mode: LoRaWAN."
  isBanner: (line) => line.startsWith('RAK') || line.startsWith('Current Work Mode'),
  failure: (code, message, details) => new Rui3Error(`RUI3_${code}`, message, details),
  timeoutFix: 'check that the module is powered and on this port, and the baud rate (RUI3 default 115200 8N1)',
};

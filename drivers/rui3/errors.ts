/**
 * Named RUI3 module failures. The module answers with status codes of its own
 * (AT_PARAM_ERROR, AT_BUSY_ERROR, AT_NO_NETWORK_JOINED…) instead of 3GPP's
 * +CME ERROR; each becomes an error with the command, the code and a fix.
 */
import { AxonError } from '../errors.js';

export type Rui3ErrorCode =
  | 'RUI3_TIMEOUT'
  | 'RUI3_LINK'
  | 'RUI3_CLOSED'
  | 'RUI3_BAD_ARGUMENT'
  | 'RUI3_REBOOTED'
  /** The module answered one of its AT_* status codes; `status` says which. */
  | 'RUI3_STATUS'
  | 'RUI3_NOT_JOINED'
  | 'RUI3_BUSY'
  | 'RUI3_JOIN_FAILED'
  | 'RUI3_SEND_FAILED'
  | 'RUI3_PAYLOAD_TOO_LARGE'
  | 'RUI3_BAD_REPLY';

export class Rui3Error extends AxonError {
  static override readonly errorName: string = 'Rui3Error';
  override readonly code: Rui3ErrorCode;
  /** The AT command that failed, when one did (keys masked). */
  readonly command: string | undefined;
  /** The module's AT_* status code, when it gave one. */
  readonly status: string | undefined;
  constructor(code: Rui3ErrorCode, message: string, details: { command?: string; status?: string; where?: string; fix?: string; cause?: unknown } = {}) {
    const command = details.command === undefined ? undefined : maskKeys(details.command);
    super(code, message, { where: details.where ?? command, fix: details.fix, cause: details.cause });
    this.code = code;
    this.command = command;
    this.status = details.status;
  }
}

/** AT+APPKEY=<32 hex> (and the session keys) never reach a log line. */
export function maskKeys(command: string): string {
  return command.replace(/^(AT\+(?:APPKEY|APPSKEY|NWKSKEY)=)[0-9A-Fa-f]+$/i, '$1***');
}

interface StatusEntry {
  code: Rui3ErrorCode;
  meaning: string;
  fix: string;
}

/** The status codes of RAK's RUI3 AT command manual, with what to do about each. */
export const RUI3_STATUS: Readonly<Record<string, StatusEntry>> = {
  AT_ERROR: { code: 'RUI3_STATUS', meaning: 'generic error', fix: 'check the command against the RUI3 AT command manual for this firmware (AT+VER=?)' },
  AT_PARAM_ERROR: { code: 'RUI3_STATUS', meaning: 'a parameter of the command is wrong', fix: 'check the value (hex length, port 1-223, data rate valid for the band)' },
  AT_BUSY_ERROR: { code: 'RUI3_BUSY', meaning: 'the LoRa radio is busy (a join or send in progress, or the duty cycle)', fix: 'wait for the +EVT of the running request, then retry' },
  AT_TEST_PARAM_OVERFLOW: { code: 'RUI3_STATUS', meaning: 'the parameter is too long', fix: 'send a shorter payload' },
  AT_NO_CLASSB_ENABLE: { code: 'RUI3_STATUS', meaning: 'class B is not enabled', fix: 'use class A (AT+CLASS=A)' },
  AT_NO_NETWORK_JOINED: { code: 'RUI3_NOT_JOINED', meaning: 'the module has not joined a network', fix: 'join first (AT+JOIN); the driver rejoins by itself' },
  AT_RX_ERROR: { code: 'RUI3_STATUS', meaning: 'error while receiving', fix: 'retry; check the antenna' },
  AT_MODE_NO_SUPPORT: { code: 'RUI3_STATUS', meaning: 'the command is not available in this work mode', fix: 'switch the module to LoRaWAN mode (AT+NWM=1; the module restarts)' },
  AT_COMMAND_NOT_FOUND: { code: 'RUI3_STATUS', meaning: 'the firmware does not know the command', fix: 'update the module to a RUI3 firmware (RAK3172 firmware 1.0.4 and older speak a different AT set)' },
};

export function statusError(status: string, command: string): Rui3Error {
  const known = RUI3_STATUS[status];
  return new Rui3Error(known?.code ?? 'RUI3_STATUS', `the module answered ${status} (${known?.meaning ?? 'unknown status code'})`, {
    command,
    status,
    fix: known?.fix ?? 'look the code up in the RUI3 AT command manual',
  });
}

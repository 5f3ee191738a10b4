/**
 * Named NB-IoT failures. A gateway on a pole reports these to an engineer who
 * has a laptop and an AT terminal, so each one says which command failed, what
 * the module said, and what to try next.
 */
import { AxonError } from '../errors.js';

export type NbIotErrorCode =
  | 'NBIOT_TIMEOUT'
  | 'NBIOT_ERROR'
  | 'NBIOT_CME_ERROR'
  | 'NBIOT_CMS_ERROR'
  | 'NBIOT_BAD_REPLY'
  | 'NBIOT_NOT_RESPONDING'
  | 'NBIOT_NOT_ATTACHED'
  | 'NBIOT_SOCKET'
  | 'NBIOT_REBOOTED'
  | 'NBIOT_LINK'
  | 'NBIOT_CLOSED'
  | 'NBIOT_ACK_TIMEOUT'
  | 'NBIOT_PAYLOAD_TOO_LARGE'
  | 'NBIOT_MQTT'
  | 'NBIOT_BAD_ARGUMENT';

export class NbIotError extends AxonError {
  static override readonly errorName: string = 'NbIotError';
  override readonly code: NbIotErrorCode;
  /** The AT command that failed, when one did. */
  readonly command: string | undefined;
  constructor(code: NbIotErrorCode, message: string, details: { command?: string; where?: string; fix?: string; cause?: unknown } = {}) {
    super(code, message, { where: details.where ?? (details.command === undefined ? undefined : quoteCommand(details.command)), fix: details.fix, cause: details.cause });
    this.code = code;
    this.command = details.command === undefined ? undefined : maskCommandSecrets(details.command);
  }
}

/** The module answered +CME ERROR:<n>; `cmeCode` and `cmeName` say which. */
export class NbIotCmeError extends NbIotError {
  static override readonly errorName: string = 'NbIotCmeError';
  readonly cmeCode: number;
  readonly cmeName: string;
  constructor(command: string, cmeCode: number) {
    const known = CME_ERRORS[cmeCode];
    const name = known?.name ?? 'unknown error code';
    super('NBIOT_CME_ERROR', `the module refused the command: +CME ERROR: ${cmeCode} (${name})`, {
      command,
      fix: known?.fix ?? 'look the code up in the module\'s AT command manual; retry after re-attaching',
    });
    this.cmeCode = cmeCode;
    this.cmeName = name;
  }
}

/** Long hex payloads would drown the message; keep the command recognisable. Never shows a password. */
export function quoteCommand(command: string): string {
  const shown = maskCommandSecrets(command);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

/** AT+QMTCONN=<link>,"<client>","<user>","<password>": the password becomes ***, so no error or log line carries it. */
export function maskCommandSecrets(command: string): string {
  return command.replace(/^(AT\+QMTCONN=\d+,"[^"]*","[^"]*",)"[^"]*"/, '$1"***"');
}

interface CmeEntry {
  name: string;
  fix?: string;
}

const REATTACH = 'check coverage (AT+CSQ, AT+NUESTATS) and let the driver re-attach';

/**
 * 3GPP TS 27.007 general codes plus the 159 and 5xx codes Quectel BC95/BC28
 * firmwares add. Names are paraphrased; the numbers are what matters.
 */
export const CME_ERRORS: Readonly<Record<number, CmeEntry>> = {
  0: { name: 'phone failure', fix: 'power-cycle the module' },
  3: { name: 'operation not allowed', fix: 'the module is in the wrong state for this command (radio off or not attached?); re-run the attach sequence' },
  4: { name: 'operation not supported', fix: 'this firmware lacks the command; check the module model and firmware version (AT+CGMR)' },
  10: { name: 'SIM not inserted', fix: 'seat the SIM card (power off first) and check the holder' },
  11: { name: 'SIM PIN required', fix: 'disable the PIN on the SIM or configure it' },
  13: { name: 'SIM failure', fix: 'replace or re-seat the SIM; check it is an NB-IoT-provisioned card' },
  14: { name: 'SIM busy', fix: 'retry in a few seconds' },
  23: { name: 'memory failure' },
  30: { name: 'no network service', fix: REATTACH },
  50: { name: 'incorrect parameters', fix: 'check the command arguments (socket id, address, hex length)' },
  100: { name: 'unknown error' },
  159: { name: 'uplink busy (flow control)', fix: 'the radio is still sending the previous packet; retry after a short pause' },
  512: { name: 'required parameter not configured', fix: 'configure the missing setting first (e.g. AT+NCDP for the platform address)' },
  513: { name: 'platform (TUP) not registered', fix: 'set AT+NCDP and wait for registration with the operator platform' },
  514: { name: 'internal AT error', fix: 'retry; power-cycle the module if it repeats' },
  515: { name: 'PDP context (CID) already active' },
  516: { name: 'incorrect state for the command', fix: REATTACH },
  517: { name: 'PDP context (CID) invalid' },
  520: { name: 'cannot deactivate the last active PDP context' },
  521: { name: 'PDP context (CID) not defined' },
  522: { name: 'UART parity error', fix: 'check the baud rate and cabling between host and module' },
  523: { name: 'UART framing error', fix: 'check the baud rate and cabling between host and module' },
  524: { name: 'radio not powered on (CFUN=0)', fix: 'send AT+CFUN=1 (the driver does this on start)' },
  525: { name: 'repeated data sequence number' },
  526: { name: 'AT command aborted' },
  527: { name: 'command interrupted' },
  528: { name: 'configuration conflict' },
  529: { name: 'firmware update (FOTA) in progress', fix: 'wait for the update to finish; do not power-cycle' },
  530: { name: 'socket not allocated by AT', fix: 'the socket id is stale (module rebooted?); open a new socket' },
};

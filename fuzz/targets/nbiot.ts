/**
 * NB-IoT modules: AT replies and URCs as the modem driver (drivers/nbiot)
 * receives them on its UART, and the uplink envelope.
 *
 * at-reply input: one selector byte, then what the module says.
 *   bits 0–3  the operation (modulo OPERATIONS)
 *   bit 7     the bytes also arrive unsolicited before the command (URCs in odd places)
 */
import { asciiBytes } from '../../drivers/bytes.js';
import { createStreamPair } from '../../drivers/ports/memory-stream.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { decodeFrame, decodeT3324, decodeT3412, encodeFrame, LineFramer, NbIotModem, NbIotMqtt, NbIotPlatform, NbIotUdp, parseCsq, parseNuestats, parseUrc, splitArgs } from '../../drivers/nbiot/index.js';
import { ScriptedModem } from '../../drivers/nbiot/test-support.js';
import type { FuzzTarget } from '../target.js';
import { rethrowUnlessTyped, tryEach } from '../typed-error.js';

const HANG_MS = 600_000;

type Operation = (modem: NbIotModem) => Promise<unknown>;

const OPERATIONS: readonly Operation[] = [
  (m) => m.signal(),
  (m) => m.ueStats(),
  (m) => new NbIotUdp(m).open(),
  (m) => new NbIotUdp(m).send(0, '203.0.113.10', 5684, Uint8Array.of(1, 2, 3)),
  (m) => new NbIotPlatform(m).send(Uint8Array.of(1)),
  (m) => m.command('AT+CGATT?'),
  (m) => new NbIotMqtt(m, { openTimeoutMs: 5000, connectTimeoutMs: 5000, ackTimeoutMs: 5000 }).open('203.0.113.10', 1883),
  (m) => new NbIotMqtt(m, { openTimeoutMs: 5000, connectTimeoutMs: 5000, ackTimeoutMs: 5000 }).subscribe('axon/down/gw1', 1),
];

const REPLIES: ReadonlyArray<[number, string]> = [
  [0, '\r\n+CSQ:17,99\r\n\r\nOK\r\n'],
  [1, '\r\nSignal power:-767\r\nTotal power:-685\r\nTX power:230\r\nCell ID:37720402\r\nECL:0\r\nSNR:172\r\nEARFCN:2506\r\nPCI:115\r\nRSRQ:-108\r\n\r\nOK\r\n'],
  [2, '\r\n1\r\n\r\nOK\r\n'],
  [3, '\r\n0,3\r\n\r\nOK\r\n'],
  [4, '\r\nOK\r\n\r\n+NSMI:SENT\r\n'],
  [5, '\r\n+CGATT:1\r\n\r\nOK\r\n'],
  [6, '\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n'],
  [7, '\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n'],
  [0x85, '\r\n+NSONMI:0,4\r\n\r\n+CME ERROR: 159\r\n'],
  [0x80, '\r\n+NNMI:4,A1030064\r\n\r\nREBOOT_CAUSE_APPLICATION_AT\r\nNeul \r\nOK\r\n'],
  [0x83, '\r\n+NSORF:0,203.0.113.10,5684,4,A1020064,0\r\n\r\nERROR\r\n'],
  [0x86, '\r\n+QMTRECV: 0,0,"axon/down/gw1","0201000000"\r\n\r\n+QMTSTAT: 0,1\r\n'],
];

export function atReplyTarget(): FuzzTarget {
  return {
    name: 'at-reply',
    description: 'NbIotModem signal/ueStats, NbIotUdp open/send, NbIotPlatform send, NbIotMqtt open/subscribe against a module that says the input (AT engine, line framer, URC router)',
    seeds: REPLIES.map(([selector, text]) => ({ bytes: Uint8Array.from([selector, ...asciiBytes(text)]) })),
    maxRandomLength: 200,
    async run(input) {
      const selector = input[0] ?? 0;
      const reply = input.subarray(1);
      const clock = new VirtualClock();
      // Wire timing keeps a module that never stops talking from spinning in zero virtual time.
      const [near, far] = createStreamPair({ clock, line: { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1 } });
      const module = new ScriptedModem(far, clock, () => [reply]);
      const modem = new NbIotModem({ stream: near, clock, engine: { timeoutMs: 2000 } });
      if ((selector & 0x80) !== 0) module.send(reply);
      try {
        await clock.run(OPERATIONS[(selector & 0x0f) % OPERATIONS.length](modem), HANG_MS);
      } catch (error) {
        rethrowUnlessTyped(error);
      }
      // Background work the bytes started (reads after +NSONMI) must finish once the line is quiet.
      module.silent = true;
      await clock.runUntilIdle(HANG_MS);
      if (modem.engine.busy) throw new Error('the AT engine is still busy after the module went quiet');
      modem.close();
    },
  };
}

const URC_LINES = [
  '+NSONMI:0,4', '+NNMI:4,A1020064', '+CEREG:2', '+CSCON:1', '+NPSMR:0', '+QMTSTAT: 0,1', '+QMTRECV: 0,0,"t","A1"',
  '+CSQ:17,99', 'Signal power:-767', 'Cell ID:37720402', 'ECL:0', 'SNR:172', '+CPSMS:1,,,"01000011","00000101"', 'REBOOT_CAUSE_SECURITY_RESET_PIN',
];

export function urcTarget(): FuzzTarget {
  return {
    name: 'at-urc',
    description: 'LineFramer, parseUrc, splitArgs, parseCsq, parseNuestats, decodeT3412/T3324 on lines, and the uplink envelope decodeFrame',
    seeds: [
      { bytes: asciiBytes(URC_LINES.join('\r\n') + '\r\n') },
      ...URC_LINES.map((line) => ({ bytes: asciiBytes(`\r\n${line}\r\n`) })),
      { bytes: encodeFrame({ type: 'downlink', seq: 100, port: 2, payload: Uint8Array.of(2, 0, 1, 0, 0, 60) }), lengths: [] },
      { bytes: encodeFrame({ type: 'ack', seq: 7 }) },
    ],
    maxRandomLength: 200,
    run(input) {
      decodeFrame(input);
      const framer = new LineFramer({ maxLineLength: 128 });
      const lines: string[] = [];
      framer.onLine = (line) => lines.push(line);
      framer.push(input);
      for (const line of lines) {
        parseUrc(line);
        splitArgs(line);
        if (/^[01]{8}$/.test(line)) {
          decodeT3412(line);
          decodeT3324(line);
        }
      }
      tryEach([() => parseCsq(lines), () => parseNuestats(lines)]);
    },
  };
}

/**
 * Some commands answer in two steps: OK at once, the real result later as a URC
 * (AT+QMTOPEN → +QMTOPEN: 0,0). Subscribe before sending, because the URC can
 * arrive in the same chunk as the OK.
 */
import type { Clock } from '../ports/clock.js';
import type { AtEngine } from './at-engine.js';
import { NbIotError } from './errors.js';
import type { Urc } from './urc.js';

export interface UrcWait {
  promise: Promise<Urc>;
  /** Stop waiting (the command failed); the promise is left pending-safe (no unhandled rejection). */
  cancel(): void;
}

export function waitForUrc(engine: AtEngine, clock: Clock, name: string, matches: (urc: Urc) => boolean, timeoutMs: number, command: string): UrcWait {
  let finish: (outcome: Urc | NbIotError) => void = () => undefined;
  const promise = new Promise<Urc>((resolve, reject) => {
    const offUrc = engine.onUrc(name, (urc) => {
      if (matches(urc)) finish(urc);
    });
    const offReboot = engine.onUrc('REBOOT', (urc) => {
      finish(new NbIotError('NBIOT_REBOOTED', `the module rebooted (${urc.line}) before ${name} arrived`, {
        command,
        fix: 'the driver re-initialises on the next request',
      }));
    });
    const timer = clock.schedule(timeoutMs, () => {
      finish(new NbIotError('NBIOT_TIMEOUT', `no ${name} result within ${timeoutMs} ms`, {
        command,
        fix: 'the module accepted the command but the network did not answer: check coverage (AT+NUESTATS) and the server address',
      }));
    });
    let done = false;
    finish = (outcome) => {
      if (done) return;
      done = true;
      offUrc();
      offReboot();
      clock.cancel(timer);
      if (outcome instanceof NbIotError) reject(outcome);
      else resolve(outcome);
    };
  });
  promise.catch(() => undefined);
  return {
    promise,
    cancel: () => finish(new NbIotError('NBIOT_CLOSED', 'wait cancelled', { command })),
  };
}

/**
 * Error names survive a build that strips function names. Moddable's
 * manifest_base.json sets "strip": "*", which leaves classes without `name`;
 * an error that took its name from constructor.name printed as "Error" on
 * the device, and code branching on `.name` (dlt645/link.ts counts errors by
 * code or name) went wrong. Each class states its name (errorName).
 */
import { test } from '../test/kit/core-test.js';
import { AxonError } from './errors.js';
import * as batch from './batch/errors.js';
import * as cjt188 from './cjt188/errors.js';
import * as meterDevice from './devices/meter-device.js';
import * as reading from './devices/reading.js';
import * as bcd from './dlt645/bcd.js';
import * as dlt645 from './dlt645/errors.js';
import * as downlink from './gateway/downlink.js';
import * as lorawan from './lorawan/errors.js';
import * as lorawanMac from './lorawan/mac/errors.js';
import * as modbus from './modbus/errors.js';
import * as nbiot from './nbiot/errors.js';
import * as rules from './rules/errors.js';
import * as radio from './radio/errors.js';

const modules: Record<string, unknown>[] = [{ AxonError }, batch, cjt188, meterDevice, reading, bcd, dlt645, downlink, lorawan, lorawanMac, modbus, nbiot, rules, radio];

function errorClasses(): Array<[string, typeof AxonError]> {
  const out: Array<[string, typeof AxonError]> = [];
  for (const m of modules) {
    for (const [exported, value] of Object.entries(m)) {
      if (typeof value === 'function' && (value === AxonError || value.prototype instanceof AxonError)) out.push([exported, value as typeof AxonError]);
    }
  }
  return out;
}

test('every error class names itself, so a stripped build (no function names) keeps error names', (t) => {
  const classes = errorClasses();
  t.true(classes.length >= 45, `${classes.length} error classes found`);
  for (const [exported, cls] of classes) {
    t.true(Object.prototype.hasOwnProperty.call(cls, 'errorName'), `${exported} states its own errorName`);
    const original = Object.getOwnPropertyDescriptor(cls, 'name');
    // What "strip": "*" does to a class: no name.
    Object.defineProperty(cls, 'name', { value: '', configurable: true });
    try {
      t.is((Object.create(cls.prototype) as Error).name, exported, `${exported} keeps its name without constructor.name`);
    } finally {
      if (original !== undefined) Object.defineProperty(cls, 'name', original);
    }
  }
});

test('a constructed error keeps name and code with its class name stripped', (t) => {
  const original = Object.getOwnPropertyDescriptor(modbus.ModbusCrcError, 'name');
  Object.defineProperty(modbus.ModbusCrcError, 'name', { value: '', configurable: true });
  try {
    const error = new modbus.ModbusCrcError({ port: 'rs485-1', unit: 3 } as never, new Uint8Array(5));
    t.is(error.name, 'ModbusCrcError');
    t.is(error.code, 'MODBUS_CRC');
    t.true(String(error).startsWith('ModbusCrcError: '), String(error));
  } finally {
    if (original !== undefined) Object.defineProperty(modbus.ModbusCrcError, 'name', original);
  }
});

/**
 * KeyValueStore on Moddable Preference (ESP32 NVS). NVS limits keys to 15
 * characters and values to about 4000 bytes: the core's keys (frame counters,
 * alarm records "al" + 8 hex, store state) are designed to fit, and anything
 * longer is refused loudly rather than truncated.
 */
import Preference from 'preference';
import type { KeyValueStore } from '../../../drivers/ports/storage.js';

const MAX_KEY = 15;
const MAX_VALUE = 4000;

export class PreferenceStore implements KeyValueStore {
  constructor(private readonly domain = 'axon') {}

  get(key: string): Uint8Array | undefined {
    const value = Preference.get(this.domain, checkKey(key));
    return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
  }

  set(key: string, value: Uint8Array): void {
    if (value.length > MAX_VALUE) throw new RangeError(`NVS value for '${key}' is ${value.length} bytes; the limit is ${MAX_VALUE}`);
    Preference.set(this.domain, checkKey(key), value.slice().buffer);
  }

  delete(key: string): void {
    Preference.delete(this.domain, checkKey(key));
  }
}

function checkKey(key: string): string {
  if (key.length === 0 || key.length > MAX_KEY) throw new RangeError(`NVS key '${key}' must be 1-${MAX_KEY} characters`);
  return key;
}

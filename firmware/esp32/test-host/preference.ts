/**
 * Test double of Moddable's `preference` as the ESP32 backs it with NVS:
 * domain and key at most 15 characters (NVS refuses longer ones, so this
 * throws rather than hiding a core key that would fail on the device);
 * ArrayBuffer values are copied in and out; get() of a missing key is undefined.
 */
import { host } from './host.js';

const NVS_KEY_MAX = 15;
const NVS_BLOB_MAX = 4000;
type Value = string | number | boolean | ArrayBuffer;

function slot(domain: string, key: string): string {
  if (domain.length === 0 || domain.length > NVS_KEY_MAX) throw new Error(`NVS namespace '${domain}' must be 1-${NVS_KEY_MAX} characters`);
  if (key.length === 0 || key.length > NVS_KEY_MAX) throw new Error(`NVS key '${key}' must be 1-${NVS_KEY_MAX} characters`);
  return `${domain}/${key}`;
}

const Preference = {
  set(domain: string, key: string, value: Value): void {
    host.touch();
    if (value instanceof ArrayBuffer && value.byteLength > NVS_BLOB_MAX) throw new Error(`NVS value of ${value.byteLength} bytes is too large`);
    host.preferences.set(slot(domain, key), value instanceof ArrayBuffer ? value.slice(0) : value);
  },
  get(domain: string, key: string): Value | undefined {
    host.touch();
    const value = host.preferences.get(slot(domain, key));
    return value instanceof ArrayBuffer ? value.slice(0) : value;
  },
  delete(domain: string, key: string): void {
    host.touch();
    host.preferences.delete(slot(domain, key));
  },
  keys(domain: string): string[] {
    host.touch();
    const prefix = `${domain}/`;
    return [...host.preferences.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  },
};

export default Preference;

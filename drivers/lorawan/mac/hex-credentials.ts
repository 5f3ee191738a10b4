/**
 * LoRaWAN identity and keys as installers write them in host and board
 * configs (hex text), checked and turned into the MAC's Credentials. Shared
 * by the Pi host config and the ESP32 board config.
 */
import { fromHex } from '../../bytes.js';
import type { Credentials } from './mac.js';

export interface HexKeys {
  devEui?: string;
  joinEui?: string;
  appKey?: string;
  devAddr?: string;
  nwkSKey?: string;
  appSKey?: string;
}

const DIGITS: Readonly<Record<keyof HexKeys, number>> = { devEui: 16, joinEui: 16, appKey: 32, devAddr: 8, nwkSKey: 32, appSKey: 32 };
const HEX = /^[0-9A-Fa-f]*$/;

/** The fields an activation needs. */
export function keyFieldsFor(activation: 'otaa' | 'abp'): Array<keyof HexKeys> {
  return activation === 'otaa' ? ['devEui', 'joinEui', 'appKey'] : ['devAddr', 'nwkSKey', 'appSKey'];
}

/** What is missing or malformed for `activation` ("appKey (32 hex digits)"); `present(field)` may count a key file as present. */
export function keyProblems(activation: 'otaa' | 'abp', keys: HexKeys | undefined, present: (field: keyof HexKeys) => boolean = () => false): { missing: string[]; malformed: string[] } {
  const missing: string[] = [];
  const malformed: string[] = [];
  for (const field of keyFieldsFor(activation)) {
    const value = keys?.[field];
    if (value === undefined) {
      if (!present(field)) missing.push(field);
    } else if (value.length !== DIGITS[field] || !HEX.test(value)) {
      malformed.push(`${field} (${DIGITS[field]} hex digits)`);
    }
  }
  return { missing, malformed };
}

/** Credentials from complete keys (keyProblems found nothing). */
export function credentialsFromHex(activation: 'otaa' | 'abp', keys: HexKeys): Credentials {
  if (activation === 'abp') {
    return { activation: 'abp', devAddr: parseInt(keys.devAddr ?? '0', 16) >>> 0, nwkSKey: fromHex(keys.nwkSKey ?? ''), appSKey: fromHex(keys.appSKey ?? '') };
  }
  return { activation: 'otaa', devEui: fromHex(keys.devEui ?? ''), joinEui: fromHex(keys.joinEui ?? ''), appKey: fromHex(keys.appKey ?? '') };
}

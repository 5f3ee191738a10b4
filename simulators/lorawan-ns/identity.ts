/**
 * ChirpStack v4 names tenants, applications, device profiles and queue items
 * by UUID, and the MQTT topics carry the application's UUID. The registry file
 * may give them; otherwise each gets a name-based UUID (RFC 4122 version 5
 * layout over SHA-1 of kind and name), so the same registry always gives the
 * same topics. Random UUIDs (deduplication, queue items) are version 4.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** A stable UUID for `kind` ("application", "tenant", "device-profile") named `name`. */
export function nameUuid(kind: string, name: string): string {
  const hash = createHash('sha1').update(`axon-ns-sim\u0000${kind}\u0000${name}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newUuid(): string {
  return randomUUID();
}

/** A random non-zero uint32 (ChirpStack's downlinkId, a gateway's uplinkId). */
export function randomUint32(): number {
  return randomInt(1, 2 ** 32 - 1);
}

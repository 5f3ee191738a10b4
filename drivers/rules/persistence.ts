import type { KeyValueStore } from '../ports/storage.js';
import type { AlertRuleConfig } from './config.js';
import { AlertRuleError } from './errors.js';

/**
 * Alarm state records in the KeyValueStore, one per rule with an active alarm.
 *
 * Key: "al" + 8 lower-case hex digits of FNV-1a-32(rule id) — 10 characters, inside
 * ESP32 NVS's 15-character limit whatever the rule id's length.
 * Value: 3 bytes [format version = 1, rule kind code, level flags] (see RuleAlarmState.toFlags).
 * A rule with every level normal has no record: clears delete it, so flash is written
 * only on transitions and records of rules removed from the site never outlive their alarm.
 */
export const ALARM_RECORD_VERSION = 1;
const KEY_PREFIX = 'al';

const KIND_CODES: Record<AlertRuleConfig['kind'], number> = {
  threshold: 1,
  'rate-of-rise': 2,
  boolean: 3,
  offline: 4,
};

export function alarmStateKey(ruleId: string): string {
  return KEY_PREFIX + fnv1a32(ruleId).toString(16).padStart(8, '0');
}

export function encodeAlarmRecord(kind: AlertRuleConfig['kind'], flags: number): Uint8Array {
  return Uint8Array.of(ALARM_RECORD_VERSION, KIND_CODES[kind], flags & 0xff);
}

/** Flags of a record written for a rule of this kind; undefined for anything else (other version, other kind, torn). */
export function decodeAlarmRecord(bytes: Uint8Array, kind: AlertRuleConfig['kind']): number | undefined {
  if (bytes.length !== 3 || bytes[0] !== ALARM_RECORD_VERSION || bytes[1] !== KIND_CODES[kind]) return undefined;
  return bytes[2];
}

/** Reads and writes the records of one rule set; refuses rule sets whose ids collide on a key. */
export class AlarmStateStore {
  readonly #store: KeyValueStore;
  readonly #keys = new Map<string, string>();

  constructor(store: KeyValueStore, ruleIds: readonly string[]) {
    this.#store = store;
    const owners = new Map<string, string>();
    for (const id of ruleIds) {
      const key = alarmStateKey(id);
      const other = owners.get(key);
      if (other !== undefined && other !== id) {
        throw new AlertRuleError(`Rules "${other}" and "${id}" hash to the same alarm-state key ${key}`, {
          where: `rule ${id}`,
          fix: 'rename one of the two rules (any change to its id picks another key)',
        });
      }
      owners.set(key, id);
      this.#keys.set(id, key);
    }
  }

  load(rule: AlertRuleConfig): number | undefined {
    const bytes = this.#store.get(this.#key(rule.id));
    return bytes === undefined ? undefined : decodeAlarmRecord(bytes, rule.kind);
  }

  save(rule: AlertRuleConfig, flags: number): void {
    const key = this.#key(rule.id);
    if (flags === 0) this.#store.delete(key);
    else this.#store.set(key, encodeAlarmRecord(rule.kind, flags));
  }

  #key(ruleId: string): string {
    return this.#keys.get(ruleId) ?? alarmStateKey(ruleId);
  }
}

/** FNV-1a, 32 bits, over UTF-16 code units (rule ids are ASCII in practice). */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Does a decoded alert fit the channel table it was decoded with? Alerts name
 * their rule by number only, and numbers are per site: decoded with another
 * site's table, a smoke alarm comes out as some other rule of some other
 * device. Frames carry no fingerprint of the table they were made with, so
 * this checks what the frame itself says against the rule it lands on: a
 * true/false value needs a rule on a bit point, a number one on a number
 * point (the gateway sends thousandths only for rules without one) within
 * the point's limits. A mismatch means the wrong table; a match cannot prove
 * the right one (two smoke rules look alike). Runtime-neutral.
 */
import { findChannel, type ChannelTable } from '../../drivers/batch/channels.js';
import type { DecodedAlert } from '../../drivers/batch/alert.js';
import { BatchError } from '../../drivers/batch/errors.js';

/** Set in byte 2 of an alert when its number is in thousandths because the rule's point has no number channel. */
const FLAG_MILLI = 2;

/** Why `alert` (decoded from `bytes`) cannot have come from a gateway running `table`, or undefined. */
export function alertMismatch(alert: DecodedAlert, bytes: Uint8Array, table: ChannelTable): string | undefined {
  const rule = table.rules.find((r) => r.id === alert.rule);
  if (rule === undefined) return undefined;
  const channel = rule.point === undefined ? undefined : findChannel(table, rule.device, rule.point);
  const watched = rule.point === undefined ? `device ${rule.device} (no point)` : `${rule.device}.${rule.point} (${channel?.kind === 'bool' ? 'a bit' : channel === undefined ? 'no channel' : 'a number'})`;
  const says = (what: string) => `the alert carries ${what}, but rule ${rule.index} of this table is "${rule.id}" on ${watched}`;
  if (typeof alert.value === 'boolean' && channel?.kind !== 'bool') return says('true/false');
  if (typeof alert.value !== 'number') return undefined;
  const milli = (bytes[2] & FLAG_MILLI) !== 0;
  if (!milli && channel?.kind !== 'number') return says('a number at a channel resolution');
  if (milli && channel?.kind === 'number') return says('a number in thousandths (for a rule without a number channel)');
  if (channel !== undefined && !milli) {
    const half = 0.5 * 10 ** -channel.decimals;
    if ((channel.min !== undefined && alert.value < channel.min - half) || (channel.max !== undefined && alert.value > channel.max + half)) {
      return says(`${alert.value}, outside that point's limits ${channel.min ?? '−∞'}…${channel.max ?? '∞'}`);
    }
  }
  return undefined;
}

/** Throws BATCH_TABLE_MISMATCH when the alert cannot have come from a gateway running `table`. */
export function checkAlertFitsTable(alert: DecodedAlert, bytes: Uint8Array, table: ChannelTable): void {
  const mismatch = alertMismatch(alert, bytes, table);
  if (mismatch === undefined) return;
  throw new BatchError('BATCH_TABLE_MISMATCH', `this alert does not fit the channel table it was decoded with: ${mismatch}`, {
    where: `byte 1 (rule ${bytes[1]})`,
    fix: 'decode with the site file of the gateway that sent it (with --state <its data directory> or --previous <its channel table> if it has one): rule numbers differ from site to site',
  });
}

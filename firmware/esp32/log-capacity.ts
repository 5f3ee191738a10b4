/**
 * The store-and-forward log's capacity, from the littlefs partition actually
 * mounted (Moddable's `System.info().total`), so the log and the partition
 * table cannot disagree unnoticed: a log configured larger than the
 * partition holds fails at boot with the fix, not with "no space" weeks later.
 *
 * littlefs needs room beyond the data: metadata pairs, a block per open file
 * and copy-on-write space while segments are rewritten and renamed; a quarter
 * of the partition is kept for that.
 */
import { AxonError } from '../../drivers/errors.js';

/** The core's default log capacity (GatewayOptions.storeCapacityBytes). */
export const DEFAULT_LOG_CAPACITY_BYTES = 256 * 1024;
/** Share of the partition the log may fill. */
export const LOG_SHARE_OF_PARTITION = 0.75;

export class LogCapacityError extends AxonError {
  static override readonly errorName: string = 'LogCapacityError';
}

/** Capacity for a partition of `partitionBytes`: the configured one if it fits, else the default if it fits; throws otherwise. */
export function logCapacity(partitionBytes: number, configuredBytes?: number): number {
  const usable = Math.floor((partitionBytes * LOG_SHARE_OF_PARTITION) / 4096) * 4096;
  const wanted = configuredBytes ?? DEFAULT_LOG_CAPACITY_BYTES;
  if (wanted <= usable) return wanted;
  const what = configuredBytes === undefined ? `the default log capacity (${wanted} bytes)` : `the board config's gateway.storeCapacityBytes (${wanted} bytes)`;
  throw new LogCapacityError('ESP32_LOG_EXCEEDS_PARTITION', `${what} does not fit the littlefs storage partition: ${partitionBytes} bytes mounted, ${usable} usable for the log`, {
    where: 'storage partition',
    fix: `flash with firmware/esp32/partitions.csv (manifest.json's PARTITIONS_FILE; its storage partition is 0xF0000 bytes), or set gateway.storeCapacityBytes in the board config to at most ${usable}`,
  });
}

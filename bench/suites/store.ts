/**
 * Store-and-forward log on Node:
 *  - store.append_ack.node_ns_per_op: one reading through the whole life of a
 *    record on the in-memory file system (append, next() which syncs it,
 *    ack(), and the meta write the next sync does): the core's own cost,
 *    without the disk, so it compares code versions across machines.
 *  - store.recovery.node_ms_per_mb: StoreAndForward.open() on real files
 *    (NodeFileSystem), scanning and CRC-checking every record, per MB of log.
 *    The files are in the page cache (just written), so this is the CPU and
 *    syscall cost of recovery, not the disk's read speed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryKeyValueStore } from '../../drivers/ports/storage.js';
import { MemoryFileSystem } from '../../drivers/store/memory-file-system.js';
import { StoreAndForward } from '../../drivers/store/store.js';
import { nodeStorePorts } from '../../firmware/rpi/storage/index.js';
import { syncWorkload } from '../workloads/harness.js';
import { equals, nodeMetric, type Suite, type SuiteContext } from './common.js';

const READING = new Uint8Array(24).fill(0x5a); // a typical small batch of samples

const appendAck = syncWorkload(
  'append a 24-byte reading, next() (syncs it), ack() it, on the in-memory file system with the default 16 KB segments; meta written on the following sync',
  () => {
    const store = StoreAndForward.open({ files: new MemoryFileSystem(), meta: new MemoryKeyValueStore(), capacityBytes: 256 * 1024 });
    return () => {
      const seq = store.append('reading', READING);
      const record = store.next();
      return record !== undefined && record.seq === seq ? store.ack(seq) : -1;
    };
  },
);

const RECOVERY_MB = 4;
const RECOVERY_ROUNDS = 7;

async function recoveryMetric(context: SuiteContext): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'axon-bench-store-'));
  try {
    const shape = { capacityBytes: (RECOVERY_MB + 1) * 1024 * 1024, segmentBytes: 64 * 1024, syncAfterReadings: 1024, syncAfterBytes: 1 << 20 };
    const writer = StoreAndForward.open({ ...nodeStorePorts(dir), ...shape });
    while (writer.status().usedBytes < RECOVERY_MB * 1024 * 1024) writer.append('reading', READING);
    const bytes = writer.status().usedBytes;
    const records = writer.nextSeq - 1;
    writer.close();
    const times: number[] = [];
    for (let round = 0; round < RECOVERY_ROUNDS; round++) {
      const start = process.hrtime.bigint();
      const store = StoreAndForward.open({ ...nodeStorePorts(dir), ...shape });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (store.recovery.records !== records || store.status().pendingReadings !== records) {
        throw new Error(`recovery found ${store.recovery.records} records, expected ${records}`);
      }
      store.close();
      times.push(elapsed / (bytes / (1024 * 1024)));
    }
    times.sort((a, b) => a - b);
    const median = times[times.length >> 1];
    context.emit({
      metric: 'store.recovery.node_ms_per_mb',
      value: Math.round(median * 100) / 100,
      unit: 'ms/MB',
      engine: `node ${process.version}`,
      rounds: RECOVERY_ROUNDS,
      spread: Math.round(((times[times.length - 1] - times[0]) / median) * 1000) / 1000,
      log_bytes: bytes,
      records,
      note: `median of ${RECOVERY_ROUNDS} StoreAndForward.open() on ${RECOVERY_MB} MB of 37-byte records in 64 KB segment files (page cache warm): list, read, CRC-check every record, count pending`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const storeSuite: Suite = {
  name: 'store',
  async run(context) {
    await nodeMetric(context, { 'store.append_ack': appendAck }, 'store.append_ack', equals(1));
    await recoveryMetric(context);
  },
};

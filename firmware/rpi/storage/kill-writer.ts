/**
 * The child process of the kill test (kill.test.ts): opens the store in
 * `<dir>` and works it forever like a gateway with a flaky uplink (mixed
 * alerts and readings, batches delivered and acknowledged, outages that fill
 * the store), until the parent SIGKILLs it. Each line on stdout reports
 * something that has already happened, written with a synchronous write so it
 * is out before the next operation starts:
 *
 *   ready <nextSeq>                   the store opened
 *   appended <seq> <alert|reading>    append() returned
 *   acked <seq> <alert|reading>       ack() returned (durable at the next "synced")
 *   dropped <total> <first> <last>    readings first..last dropped; the drop is durable
 *   synced                            everything reported above is durable
 *
 * It starts by waiting for a line on stdin, so the parent can start the next
 * writer (Node's start-up is most of the cost) while it still checks the
 * last one's directory.
 *
 *   echo go | node --import tsx firmware/rpi/storage/kill-writer.ts <dir> <seed>
 */
import { readSync, writeSync } from 'node:fs';
import { mulberry32 } from '../../../simulators/models/prng.js';
import { StoreAndForward, type RecordKind } from '../../../drivers/store/store.js';
import { nodeStorePorts } from './index.js';
import { KILL_STORE_SHAPE } from './kill-shape.js';

function say(line: string): void {
  writeSync(1, line + '\n');
}

function main(dir: string, seed: number): void {
  const random = mulberry32(seed);
  const store = StoreAndForward.open({
    ...nodeStorePorts(dir),
    ...KILL_STORE_SHAPE,
    onDrop: (drop) => say(`dropped ${drop.droppedReadings} ${drop.firstSeq} ${drop.lastSeq}`),
  });
  say(`ready ${store.nextSeq}`);
  let outage = random() < 0.3;
  let unreported = false;
  for (;;) {
    const dice = random();
    if (dice < 0.02) outage = !outage;
    if (dice < 0.07) {
      report(store.append('alert', payload(random)), 'alert');
    } else if (dice < 0.75) {
      report(store.append('reading', payload(random)), 'reading');
    } else if (dice < 0.95) {
      if (!outage) {
        const batch = store.peek(1 + Math.floor(random() * 8));
        const last = batch[batch.length - 1];
        if (last !== undefined) {
          store.ack(last.seq);
          say(`acked ${last.seq} ${last.kind}`);
          unreported = true;
        }
      }
    } else {
      store.sync();
    }
    if (unreported && !store.dirty) {
      say('synced');
      unreported = false;
    }
  }

  function report(seq: number, kind: RecordKind): void {
    say(`appended ${seq} ${kind}`);
    unreported = true;
  }
}

function payload(random: () => number): Uint8Array {
  const out = new Uint8Array(8 + Math.floor(random() * 56));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** Block until the parent says go (any byte on stdin); end quietly if stdin closes first. */
function waitForGo(): boolean {
  const buffer = new Uint8Array(16);
  for (;;) {
    try {
      return readSync(0, buffer, 0, buffer.length, null) > 0;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

const [dir, seed] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: kill-writer.ts <dir> <seed>');
if (waitForGo()) main(dir, Number(seed ?? 1));

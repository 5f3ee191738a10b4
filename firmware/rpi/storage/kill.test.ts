/**
 * THE KILL TEST: a real writer process (kill-writer.ts) works the store on
 * real files and is SIGKILLed at 200 seeded-random moments, reusing one
 * directory. After every kill the store is reopened here and checked against
 * a model built only from what the writer reported before it died:
 *
 *  - the store opens (a torn tail would be cut);
 *  - no reported, unacknowledged record is missing, except readings that a
 *    counted drop removed;
 *  - an acknowledged record comes back only when its ack was not yet durable,
 *    and then exactly once; a durable ack never comes back;
 *  - each queue's seqs rise, and nextSeq continues past every seq seen;
 *  - appended = acknowledged + pending + dropped, exactly, where the only
 *    slack allowed is the one operation the kill interrupted (an append that
 *    wrote but was not reported, a drop that happened but was not reported).
 *
 * SIGKILL ends the process, not the machine: whatever write() put in the page
 * cache survives, so this proves crash consistency at every point between
 * system calls (including inside rotation, drops and meta replacement).
 * Power-loss tearing of unsynced bytes is covered by the in-memory crash
 * simulation in drivers/store/crash.property.core.test.ts.
 *
 * The writer is bundled once with esbuild and run with plain `node`: starting
 * it through tsx 200 times costs about 0.7 s each on a 2-core machine, which
 * alone would blow the minute this test may take. For the same reason the next
 * writer is started while the current one runs; it waits on stdin for its turn
 * before it opens the store, so only one process ever touches the directory.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { mulberry32 } from '../../../simulators/models/prng.js';
import { StoreAndForward, type RecordKind } from '../../../drivers/store/store.js';
import { nodeStorePorts } from './index.js';
import { KILL_STORE_SHAPE } from './kill-shape.js';

const KILLS = 200;
const SEED = 0x4b111;
const MAX_DELAY_MS = 40;
/** Writers started ahead of their turn. */
const AHEAD = 3;
const here = path.dirname(fileURLToPath(import.meta.url));

interface ModelRecord {
  kind: RecordKind;
  state: 'pending' | 'acked' | 'dropped';
  durable: boolean;
}

class Model {
  readonly records = new Map<number, ModelRecord>();
  readonly ackedThrough: Record<RecordKind, number> = { alert: 0, reading: 0 };
  readonly durableAck: Record<RecordKind, number> = { alert: 0, reading: 0 };
  dropped = 0;
  maxSeq = 0;
  readonly stats = { kills: 0, appended: 0, acked: 0, dropped: 0, resent: 0, unreportedAppends: 0, unreportedDrops: 0, truncatedBytes: 0, removedSegments: 0, durableChecked: 0, writerLines: 0 };

  add(seq: number, kind: RecordKind, durable: boolean): void {
    if (this.records.has(seq)) throw new Error(`seq ${seq} handed out twice`);
    if (seq <= this.maxSeq) throw new Error(`seq ${seq} after ${this.maxSeq}: sequence ids went backwards`);
    this.records.set(seq, { kind, state: 'pending', durable });
    this.maxSeq = seq;
    this.stats.appended++;
  }

  /** Apply one line the writer printed. */
  apply(line: string): void {
    const [what, a, b, c] = line.split(' ');
    this.stats.writerLines++;
    if (what === 'appended') this.add(Number(a), b as RecordKind, b === 'alert');
    else if (what === 'acked') {
      const seq = Number(a);
      const kind = b as RecordKind;
      if (this.records.get(seq)?.state !== 'pending') throw new Error(`writer acked ${seq}, which was not pending`);
      for (const [s, r] of this.records) {
        if (r.kind === kind && s <= seq && r.state === 'pending') {
          r.state = 'acked';
          this.stats.acked++;
        }
      }
      this.ackedThrough[kind] = seq;
    } else if (what === 'dropped') {
      const count = this.#drop((s, r) => s >= Number(b) && s <= Number(c) && r.kind === 'reading' && r.state === 'pending');
      if (this.dropped + count !== Number(a)) throw new Error(`drop total ${a}, but ${this.dropped} + ${count} readings were pending in ${b}..${c}`);
      this.dropped = Number(a);
      this.#acksDurable(); // a drop writes the meta entry first
    } else if (what === 'synced') {
      for (const r of this.records.values()) r.durable = true;
      this.#acksDurable();
    } else if (what !== 'ready') throw new Error(`unexpected writer line: ${line}`);
  }

  #drop(which: (seq: number, r: ModelRecord) => boolean): number {
    let count = 0;
    for (const [s, r] of this.records) {
      if (!which(s, r)) continue;
      r.state = 'dropped';
      count++;
    }
    this.stats.dropped += count;
    return count;
  }

  #acksDurable(): void {
    this.durableAck.alert = this.ackedThrough.alert;
    this.durableAck.reading = this.ackedThrough.reading;
  }

  /** Check the reopened store against the model, then adopt what it recovered. */
  verify(store: StoreAndForward): void {
    const present = new Map<number, RecordKind>();
    for (const kind of ['alert', 'reading'] as const) {
      let previous = 0;
      for (const record of store.peek(Number.MAX_SAFE_INTEGER, kind)) {
        if (record.seq <= previous) throw new Error(`${kind} ${record.seq} after ${previous}: not increasing`);
        if (present.has(record.seq)) throw new Error(`seq ${record.seq} present twice`);
        present.set(record.seq, kind);
        previous = record.seq;
      }
    }
    const status = store.status();
    const recoveredAck: Record<RecordKind, number> = { alert: status.alertAckedThrough, reading: status.readingAckedThrough };
    for (const kind of ['alert', 'reading'] as const) {
      if (recoveredAck[kind] < this.durableAck[kind] || recoveredAck[kind] > this.ackedThrough[kind]) {
        throw new Error(`${kind} ack pointer came back as ${recoveredAck[kind]}, expected ${this.durableAck[kind]}..${this.ackedThrough[kind]}`);
      }
    }
    let missingReadings = 0;
    for (const [seq, r] of this.records) {
      const isPresent = present.get(seq) !== undefined;
      if (isPresent && present.get(seq) !== r.kind) throw new Error(`seq ${seq} came back as the other kind`);
      if (r.state === 'dropped' && isPresent) throw new Error(`dropped reading ${seq} came back`);
      if (r.state === 'acked') {
        if (seq <= recoveredAck[r.kind]) {
          if (isPresent) throw new Error(`${r.kind} ${seq} came back although its ack was durable`);
        } else if (!isPresent) {
          throw new Error(`${r.kind} ${seq}: ack not durable, yet the record is gone`);
        } else {
          r.state = 'pending'; // at-least-once: it will be sent once more
          this.stats.resent++;
        }
      }
      if (r.state === 'pending') {
        if (r.durable) this.stats.durableChecked++;
        if (isPresent) continue;
        if (r.kind === 'alert') throw new Error(`${r.durable ? 'durable ' : ''}alert ${seq} was lost`);
        missingReadings++;
      }
    }
    // The only way a pending reading may vanish is a drop the writer did not live to report.
    if (store.droppedReadings !== this.dropped + missingReadings) {
      throw new Error(`droppedReadings ${store.droppedReadings}, but ${this.dropped} were reported and ${missingReadings} pending readings are missing`);
    }
    if (missingReadings > 0) {
      this.#drop((s, r) => r.kind === 'reading' && r.state === 'pending' && !present.has(s));
      this.stats.unreportedDrops++;
    }
    this.dropped = store.droppedReadings;
    // At most one record the writer wrote but did not live to report.
    const unknown = [...present].filter(([seq]) => !this.records.has(seq));
    if (unknown.length > 1) throw new Error(`records never reported: ${unknown.map(([s]) => s).join(', ')}`);
    for (const [seq, kind] of unknown) {
      this.add(seq, kind, true);
      this.stats.unreportedAppends++;
    }
    let pending = 0;
    let acked = 0;
    for (const r of this.records.values()) {
      if (r.state === 'pending') pending++;
      if (r.state === 'acked') acked++;
      r.durable = true;
    }
    if (status.pendingAlerts + status.pendingReadings !== pending) throw new Error(`store has ${status.pendingAlerts + status.pendingReadings} pending, model ${pending}`);
    if (this.records.size !== acked + pending + this.dropped) throw new Error(`appended ${this.records.size} != acked ${acked} + pending ${pending} + dropped ${this.dropped}`);
    if (store.nextSeq <= this.maxSeq) throw new Error(`nextSeq ${store.nextSeq} does not continue after ${this.maxSeq}`);
    this.ackedThrough.alert = this.durableAck.alert = recoveredAck.alert;
    this.ackedThrough.reading = this.durableAck.reading = recoveredAck.reading;
    this.stats.truncatedBytes += store.recovery.truncatedBytes;
    this.stats.removedSegments += store.recovery.removedSegments;
  }
}

/** A writer process started ahead of time; it waits for `run` before touching the store. */
interface Writer {
  run(delayMs: number): Promise<string[]>;
  discard(): void;
}

function startWriter(script: string, dir: string, seed: number): Writer {
  const child = spawn(process.execPath, [script, dir, String(seed)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let timer: NodeJS.Timeout | undefined;
  let delay = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    if (timer === undefined && out.includes('\n')) timer = setTimeout(() => child.kill('SIGKILL'), delay);
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const closed = new Promise<string[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited by itself (code ${code}): ${err.trim()}`));
      const lines = out.split('\n');
      lines.pop(); // a line cut by the kill is not a report
      resolve(lines);
    });
  });
  return {
    /** Let it open the store, SIGKILL it `delayMs` after it reports ready, and return the complete lines it printed. */
    run(delayMs) {
      delay = delayMs;
      child.stdin.write('go\n');
      return closed;
    },
    discard() {
      closed.catch(() => undefined);
      child.kill('SIGKILL');
    },
  };
}

test('SIGKILL at 200 random points: the log reopens, nothing durable is lost, counts reconcile exactly', async (t) => {
  t.timeout(150_000);
  const work = mkdtempSync(path.join(tmpdir(), 'axon-kill-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const script = path.join(work, 'kill-writer.mjs');
  await build({ entryPoints: [path.join(here, 'kill-writer.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'silent' });
  const dir = path.join(work, 'store');
  const random = mulberry32(SEED);
  const model = new Model();
  const started = Date.now();
  const seeds = Array.from({ length: KILLS }, () => Math.floor(random() * 0x7fffffff));
  // Writers boot a few turns ahead, hiding Node's start-up behind the runs and checks before theirs.
  const queue = seeds.slice(0, AHEAD).map((seed) => startWriter(script, dir, seed));
  t.teardown(() => queue.forEach((w) => w.discard()));
  for (let kill = 0; kill < KILLS; kill++) {
    const writer = queue.shift() as Writer;
    if (kill + AHEAD < KILLS) queue.push(startWriter(script, dir, seeds[kill + AHEAD]));
    const lines = await writer.run(Math.floor(random() * MAX_DELAY_MS));
    if (!lines[0]?.startsWith('ready ')) throw new Error(`kill ${kill}: the writer did not get to open the store (${lines.length} lines)`);
    if (Number(lines[0].split(' ')[1]) <= model.maxSeq) throw new Error(`kill ${kill}: the writer's nextSeq does not continue`);
    for (const line of lines) model.apply(line);
    model.stats.kills++;
    const store = StoreAndForward.open({ ...nodeStorePorts(dir), ...KILL_STORE_SHAPE });
    try {
      model.verify(store);
    } catch (error) {
      throw new Error(`after kill ${kill + 1} (seed ${SEED}): ${(error as Error).message}`);
    } finally {
      store.close();
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const s = model.stats;
  const summary = `kill test: ${s.kills} kills in ${seconds} s; ${s.appended} records appended, ${s.acked} acknowledged, ${s.dropped} readings dropped at capacity, ${s.resent} re-sent after an ack the kill made non-durable; interrupted before reporting: ${s.unreportedAppends} appends, ${s.unreportedDrops} drops; recovery cut ${s.truncatedBytes} torn bytes and removed ${s.removedSegments} segments; ${s.durableChecked} durable-pending checks, ${s.writerLines} writer lines`;
  t.log(summary);
  process.stderr.write(summary + '\n');
  t.is(s.kills, KILLS);
  // Load-independent: a busy machine lets each writer run fewer appends before its kill.
  t.true(s.appended > KILLS && s.acked > 0 && s.dropped > 0, 'the runs exercised appends, acks and drops');
});

/**
 * The data directory's lock (data-dir-lock.ts) with real processes:
 *  - a gateway.pid naming an unrelated live process (another daemon after a
 *    power cut) does not block the lock;
 *  - a live holder in another process is refused, named by its own PID, and
 *    the message never tells the user to kill anything;
 *  - SIGKILL the holder and the lock is free at once: it dies with its holder;
 *  - every path to one directory (a symlink) names the same lock; another
 *    directory has its own.
 * The same through `axon gateway run` is in gateway-run.test.ts (a second
 * gateway refused) and below (a stale gateway.pid).
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxonError } from '../../../drivers/errors.js';
import { runCli } from '../../../sdk/cli/test-kit.js';
import { lockDataDirectory, PID_FILE } from './data-dir-lock.js';
import { fixture } from './preflight-fixture.js';

const LOCK_MODULE = fileURLToPath(new URL('./data-dir-lock.ts', import.meta.url));

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An unrelated long-lived process, like the daemon that got the dead gateway's PID. */
function unrelatedProcess(t: { teardown(fn: () => void): void }): ChildProcess {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  return child;
}

/** Another process holding the lock on `dir`; resolves once it holds it. */
async function holderProcess(t: { teardown(fn: () => void): void }, dir: string): Promise<ChildProcess> {
  const code = `import { lockDataDirectory } from ${JSON.stringify(LOCK_MODULE)}; await lockDataDirectory(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}): ${err}`)));
  });
  return child;
}

test('a gateway.pid naming an unrelated live process does not block the lock', async (t) => {
  const dir = tempDir(t);
  const daemon = unrelatedProcess(t);
  writeFileSync(path.join(dir, PID_FILE), `${daemon.pid}\n`);
  const lock = await lockDataDirectory(dir);
  t.is(readFileSync(path.join(dir, PID_FILE), 'utf8'), `${process.pid}\n`, 'gateway.pid now names this process');
  lock.release();
  t.throws(() => readFileSync(path.join(dir, PID_FILE)), { code: 'ENOENT' } as never, 'released: gateway.pid removed');
});

test('a live holder in another process is refused by its own PID, without "kill"; SIGKILL frees the lock at once', async (t) => {
  const dir = tempDir(t);
  const holder = await holderProcess(t, dir);
  writeFileSync(path.join(dir, PID_FILE), '1\n'); // whatever the file says, the holder answers for itself
  const error = (await t.throwsAsync(lockDataDirectory(dir))) as AxonError;
  t.is(error.code, 'HOST_DATA_DIR_BUSY');
  t.regex(error.message, new RegExp(`another gateway \\(pid ${holder.pid}, running since \\d{4}-.*\\) runs on this data directory`));
  t.notRegex(error.message, /\bkill\b/);

  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.once('exit', resolve));
  const lock = await lockDataDirectory(dir);
  t.pass('taken right after the holder died, its gateway.pid still on disk');
  lock.release();
});

test('one lock per directory: a symlink to it is the same lock, another directory is another', async (t) => {
  const dir = tempDir(t);
  const data = path.join(dir, 'data');
  const other = path.join(dir, 'other');
  mkdirSync(data);
  mkdirSync(other);
  symlinkSync(data, path.join(dir, 'link'));
  const lock = await lockDataDirectory(data);
  await t.throwsAsync(lockDataDirectory(path.join(dir, 'link')), { code: 'HOST_DATA_DIR_BUSY' } as never);
  const second = await lockDataDirectory(other);
  second.release();
  lock.release();
  (await lockDataDirectory(path.join(dir, 'link'))).release();
});

test('axon gateway run starts although gateway.pid holds the PID of an unrelated live process, and says nothing about killing it', async (t) => {
  const f = fixture();
  t.teardown(() => f.remove());
  f.write();
  const daemon = unrelatedProcess(t);
  mkdirSync(f.dataDir, { recursive: true });
  writeFileSync(path.join(f.dataDir, PID_FILE), `${daemon.pid}\n`);
  const run = await runCli(['gateway', 'run', '--site', f.siteFile, '--config', f.configFile, '--data', f.dataDir, '--report-every', '0', '--duration', '1']);
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /gateway preflight-gw: site /);
  t.notRegex(run.stdout + run.stderr, /\bkill\b/);
});

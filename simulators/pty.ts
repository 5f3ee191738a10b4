/**
 * A virtual null-modem cable: two pseudo-terminals joined by socat, so a master
 * and a simulated slave talk through real serial-port APIs (termios, serialport's
 * native bindings) with no hardware.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxonError } from '../drivers/errors.js';

export interface PtyPair {
  /** Symlink to one end (give this one to the master). */
  pathA: string;
  /** Symlink to the other end. */
  pathB: string;
  close(): Promise<void>;
}

let counter = 0;

export async function createPtyPair(options: { linkA?: string; linkB?: string; timeoutMs?: number } = {}): Promise<PtyPair> {
  const unique = `${process.pid}-${Date.now().toString(36)}-${counter++}`;
  const pathA = options.linkA ?? path.join(os.tmpdir(), `axon-pty-${unique}-a`);
  const pathB = options.linkB ?? path.join(os.tmpdir(), `axon-pty-${unique}-b`);
  for (const link of [pathA, pathB]) {
    if (existsOrDangling(link)) {
      throw new AxonError('PTY_LINK_EXISTS', `${link} already exists`, {
        where: link,
        fix: 'pick another path, or remove the stale link if no simulator is running (`rm ' + link + '`)',
      });
    }
  }
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${pathA}`, `pty,raw,echo=0,link=${pathB}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitUntilReady(child, pathA, pathB, options.timeoutMs ?? 5000);
  let closing: Promise<void> | undefined;
  return {
    pathA,
    pathB,
    close() {
      closing ??= stop(child, [pathA, pathB]);
      return closing;
    },
  };
}

function existsOrDangling(link: string): boolean {
  try {
    lstatSync(link);
    return true;
  } catch {
    return false;
  }
}

function waitUntilReady(child: ChildProcess, pathA: string, pathB: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      child.stderr?.removeAllListeners('data');
      // Keep draining stderr so socat never blocks on a full pipe.
      child.stderr?.resume();
      if (error) {
        child.kill('SIGTERM');
        reject(error);
      } else resolve();
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr += text;
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      finish(
        error.code === 'ENOENT'
          ? new AxonError('PTY_SOCAT_MISSING', 'socat is not installed; it is needed to create virtual serial ports', {
              fix: 'install it: `sudo apt-get install socat` (Debian, Ubuntu, Raspberry Pi OS) or `brew install socat` (macOS)',
              cause: error,
            })
          : new AxonError('PTY_SOCAT', `could not start socat: ${error.message}`, { cause: error }),
      );
    });
    child.once('exit', (code) => {
      finish(new AxonError('PTY_SOCAT', `socat exited (code ${code}) before the virtual ports were ready: ${stderr.trim().split('\n').slice(-2).join(' | ')}`, {
        where: `${pathA} ↔ ${pathB}`,
        fix: 'check that the link directories exist and are writable',
      }));
    });
    // socat logs "starting data transfer loop" once both ptys are open; the links exist by then.
    const poll = setInterval(() => {
      if (stderr.includes('starting data transfer loop') && existsSync(pathA) && existsSync(pathB)) finish();
    }, 10);
    const timer = setTimeout(() => {
      finish(new AxonError('PTY_TIMEOUT', `socat did not create ${pathA} and ${pathB} within ${timeoutMs} ms`, { fix: 'check that socat works: `socat -V`' }));
    }, timeoutMs);
  });
}

async function stop(child: ChildProcess, links: string[]): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(forced);
  }
  // socat removes its links on a clean exit; make sure after a SIGKILL too.
  for (const link of links) {
    try {
      if (lstatSync(link).isSymbolicLink()) unlinkSync(link);
    } catch {
      // already gone
    }
  }
}

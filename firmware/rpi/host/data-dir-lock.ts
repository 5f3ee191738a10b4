/**
 * One gateway per data directory (two would interleave the same log), with a
 * lock that dies with its holder. A PID file cannot be that: after a power cut
 * its PID often belongs to another daemon, and "is that process alive" then
 * blocks the gateway for good.
 *
 * Node has no flock() without a native addon, but it can listen on a Unix
 * socket, and on Linux a socket in the abstract namespace (a name starting
 * with NUL, no file) is released by the kernel the moment its process exits,
 * however it exits: SIGKILL, a crash, a power cut. Binding is atomic, so of
 * two gateways starting at once exactly one gets it. The name is the data
 * directory's device and inode, so every path to it (a symlink, a bind mount)
 * names the same lock. The holder answers a connection with who it is, so a
 * refused gateway names the live gateway, never a PID read from a stale file.
 *
 * Limits: abstract sockets are per network namespace, so gateways in two
 * containers with separate networks sharing one data directory do not see
 * each other. Other systems have no abstract namespace: there the socket is a
 * file in the data directory (`gateway.lock`) and a socket nobody listens on
 * is stale and replaced.
 *
 * `<data>/gateway.pid` is still written, for people and tools (systemd's
 * PIDFile=), and is never read to decide anything.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AxonError } from '../../../drivers/errors.js';

export const PID_FILE = 'gateway.pid';
/** How long a holder may take to say who it is. */
const ANSWER_MS = 2000;

export interface DataDirLock {
  /** The socket address held: abstract (`\0axon-gateway:…`) on Linux, a file elsewhere. */
  readonly address: string;
  release(): void;
}

/** What the holder says about itself to a gateway it refuses. */
interface Holder {
  pid: number;
  startedAt: string;
  dataDir: string;
}

function lockAddress(dataDir: string): string {
  if (process.platform !== 'linux') return path.join(dataDir, 'gateway.lock');
  const { dev, ino } = statSync(dataDir, { bigint: true });
  return `\0axon-gateway:${dev}:${ino}`;
}

function listen(server: net.Server, address: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error);
    server.once('error', onError);
    server.listen(address, () => {
      server.off('error', onError);
      resolve(undefined);
    });
  });
}

/** Ask the holder who it is: its answer, 'stale' when nobody listens (a socket file left behind), 'silent' otherwise. */
function askHolder(address: string): Promise<Holder | 'stale' | 'silent'> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    let text = '';
    const done = (answer: Holder | 'stale' | 'silent') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done('silent'), ANSWER_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => {
      try {
        const holder = JSON.parse(text) as Holder;
        done(Number.isInteger(holder.pid) ? holder : 'silent');
      } catch {
        done('silent');
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'stale' : 'silent'));
  });
}

/** Take the data directory's lock, or throw HOST_DATA_DIR_BUSY naming the gateway that holds it. The directory must exist. */
export async function lockDataDirectory(dataDir: string): Promise<DataDirLock> {
  const address = lockAddress(dataDir);
  const me: Holder = { pid: process.pid, startedAt: new Date().toISOString(), dataDir: path.resolve(dataDir) };
  for (let attempt = 0; attempt < 2; attempt++) {
    const server = net.createServer((socket) => socket.end(JSON.stringify(me)));
    const error = await listen(server, address);
    if (error === undefined) {
      server.unref(); // the lock must not keep the process alive
      const pidFile = path.join(dataDir, PID_FILE);
      writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
      return {
        address,
        release() {
          server.close();
          rmSync(pidFile, { force: true });
        },
      };
    }
    if (error.code !== 'EADDRINUSE') throw new AxonError('HOST_DATA_DIR_LOCK', `cannot lock the data directory: ${error.message}`, { where: dataDir, fix: 'check that the gateway user owns the data directory' });
    const holder = await askHolder(address);
    if (holder === 'stale' && address.startsWith('/')) {
      rmSync(address, { force: true }); // a socket file whose gateway died (only where the lock is a file)
      continue;
    }
    throw busy(dataDir, holder);
  }
  throw busy(dataDir, 'silent');
}

function busy(dataDir: string, holder: Holder | 'stale' | 'silent'): AxonError {
  const fix = 'stop that gateway first (`systemctl stop axon-gateway`, or Ctrl-C where it runs), or give this one its own --data directory';
  if (typeof holder === 'string') {
    return new AxonError('HOST_DATA_DIR_BUSY', "another process holds this data directory's gateway lock and does not say which gateway it is", { where: dataDir, fix });
  }
  return new AxonError('HOST_DATA_DIR_BUSY', `another gateway (pid ${holder.pid}, running since ${holder.startedAt}) runs on this data directory`, { where: dataDir, fix });
}

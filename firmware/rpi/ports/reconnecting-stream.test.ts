import test from 'ava';
import { execFile } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createPtyPair, type PtyPair } from '../../../simulators/pty.js';
import { AxonError } from '../../../drivers/errors.js';
import type { ByteStream } from '../../../drivers/ports/byte-stream.js';
import { openSerialStream, type SerialStream } from './serial-stream.js';
import { connectTcpStream } from './tcp-stream.js';
import { ReconnectingStream, type ClosableByteStream, type LinkState } from './reconnecting-stream.js';

const LINE = { baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 } as const;

interface StateEvent {
  state: LinkState;
  code: string | undefined;
  message: string | undefined;
}

/** Records every onState call so tests can check what the host would have logged. */
function stateLog(): { events: StateEvent[]; onState: (state: LinkState, error?: Error) => void } {
  const events: StateEvent[] = [];
  return {
    events,
    onState: (state, error) => events.push({ state, code: (error as { code?: string } | undefined)?.code, message: error?.message }),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await delay(10);
  }
}

/** Receive exactly `length` bytes from a stream through its onReadable. */
function collect(stream: ByteStream, length: number, ms = 3000): Promise<number[]> {
  const chunks: number[] = [];
  return within(
    new Promise<number[]>((resolve) => {
      stream.onReadable = (bytes) => {
        chunks.push(...bytes);
        if (chunks.length >= length) resolve(chunks);
      };
    }),
    ms,
    `${length} bytes (got ${chunks.length})`,
  );
}

function fromSocket(socket: net.Socket, length: number, ms = 3000): Promise<number[]> {
  const chunks: number[] = [];
  return within(
    new Promise<number[]>((resolve) => {
      const onData = (chunk: Buffer) => {
        chunks.push(...chunk);
        if (chunks.length >= length) {
          socket.off('data', onData);
          resolve(chunks);
        }
      };
      socket.on('data', onData);
    }),
    ms,
    `${length} bytes at the server (got ${chunks.length})`,
  );
}

function uniqueLinks(): { linkA: string; linkB: string } {
  const base = path.join(os.tmpdir(), `axon-reconnect-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  return { linkA: `${base}-a`, linkB: `${base}-b` };
}

/** Track ptys and peer ports so teardown releases whatever a test left behind, in the right order. */
function ptyKeeper(t: { teardown(fn: () => unknown): void }) {
  const ptys: PtyPair[] = [];
  const peers: SerialStream[] = [];
  t.teardown(async () => {
    for (const peer of peers) peer.close();
    await Promise.all(peers.map((peer) => peer.whenClosed()));
    await Promise.all(ptys.map((pty) => pty.close()));
  });
  return {
    async pair(links: { linkA: string; linkB: string }): Promise<PtyPair> {
      const pty = await createPtyPair(links);
      ptys.push(pty);
      return pty;
    },
    async peer(at: string): Promise<SerialStream> {
      const peer = await openSerialStream({ path: at, ...LINE });
      peers.push(peer);
      return peer;
    },
  };
}

async function bothWays(t: { deepEqual(a: unknown, b: unknown): void }, stream: ReconnectingStream, peer: ByteStream, seed: number): Promise<void> {
  const out = Array.from({ length: 16 }, (_, i) => (seed + i * 17) & 0xff);
  const atPeer = collect(peer, out.length);
  stream.write(Uint8Array.from(out));
  t.deepEqual(await atPeer, out);
  const back = out.map((byte) => byte ^ 0xff);
  const atStream = collect(stream, back.length);
  peer.write(Uint8Array.from(back));
  t.deepEqual(await atStream, back);
}

test('a serial adapter missing at boot is reported once, then the stream opens by itself when it appears', async (t) => {
  const links = uniqueLinks();
  const keep = ptyKeeper(t);
  const log = stateLog();
  let attempts = 0;
  const stream = new ReconnectingStream({
    open: () => {
      attempts += 1;
      return openSerialStream({ path: links.linkA, ...LINE });
    },
    where: links.linkA,
    line: LINE,
    retryMs: 100,
    onState: log.onState,
  });
  t.teardown(() => stream.close());
  t.deepEqual(stream.line, LINE);
  t.is(stream.where, links.linkA);

  await until(() => attempts >= 5, 3000, 'five open attempts');
  t.is(stream.state, 'down');
  t.deepEqual(log.events.map((event) => [event.state, event.code]), [['connecting', undefined], ['down', 'SERIAL_NOT_FOUND']]);
  t.regex(log.events[1].message ?? '', /does not exist/);
  t.is(stream.opens, 0);

  // Writes while nothing is there go nowhere, quietly, like on a cut cable.
  t.notThrows(() => stream.write(Uint8Array.of(1, 2, 3)));
  t.is(stream.droppedWriteBytes, 3);

  const opened = stream.whenOpen();
  const pty = await keep.pair(links);
  await within(opened, 3000, 'stream opens after the adapter appears');
  t.is(stream.state, 'open');
  t.is(stream.opens, 1);
  t.deepEqual(log.events.map((event) => event.state), ['connecting', 'down', 'open']);

  const peer = await keep.peer(pty.pathB);
  await bothWays(t, stream, peer, 0);
  t.is(stream.droppedWriteBytes, 3);
});

test('an adapter unplugged in service: onError once, writes dropped, and it reopens when plugged back', async (t) => {
  const links = uniqueLinks();
  const keep = ptyKeeper(t);
  const pty = await keep.pair(links);
  const log = stateLog();
  const stream = new ReconnectingStream({
    open: () => openSerialStream({ path: links.linkA, ...LINE }),
    where: links.linkA,
    line: LINE,
    retryMs: 100,
    onState: log.onState,
  });
  t.teardown(() => stream.close());
  const errors: Error[] = [];
  stream.onError = (error) => errors.push(error);
  await within(stream.whenOpen(), 3000, 'first open');
  t.is(stream.opens, 1);
  await bothWays(t, stream, await keep.peer(pty.pathB), 1);

  await pty.close(); // the adapter disappears under the open port
  // Linux reports a vanished pty master at the next write, as the core's next poll would.
  stream.write(Uint8Array.of(0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0a));
  await until(() => errors.length > 0, 3000, 'onError after the unplug');
  t.is(stream.state, 'down');

  const before = stream.droppedWriteBytes;
  t.notThrows(() => stream.write(Uint8Array.of(9, 9, 9, 9, 9)));
  t.is(stream.droppedWriteBytes, before + 5);

  await delay(350); // several failed retries against the missing device
  t.is(errors.length, 1);
  t.is((errors[0] as AxonError).code, 'SERIAL_CLOSED');
  t.deepEqual(log.events.map((event) => [event.state, event.code]), [
    ['connecting', undefined],
    ['open', undefined],
    ['down', 'SERIAL_CLOSED'],
    ['down', 'SERIAL_NOT_FOUND'],
  ]);

  const reopened = stream.whenOpen();
  const again = await keep.pair(links);
  await within(reopened, 3000, 'reopen after replug');
  t.is(stream.opens, 2);
  await bothWays(t, stream, await keep.peer(again.pathB), 2);
  t.is(errors.length, 1);
});

test('TCP: reconnects after the peer drops it, and after the server comes back on the same port', async (t) => {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const accepted: net.Socket[] = [];
  let onConnection: ((socket: net.Socket) => void) | undefined;
  const serve = async (port: number): Promise<net.Server> => {
    const server = net.createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      accepted.push(socket);
      onConnection?.(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return server;
  };
  const stop = async (server: net.Server): Promise<void> => {
    // Stop accepting first, so a retry cannot slip in between the two steps.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  let server = await serve(0);
  t.teardown(() => (server.listening ? stop(server) : undefined));
  const { port } = server.address() as net.AddressInfo;
  const where = `127.0.0.1:${port}`;

  const log = stateLog();
  const errors: Error[] = [];
  const stream = new ReconnectingStream({
    open: () => connectTcpStream({ host: '127.0.0.1', port, timeoutMs: 1000 }),
    where,
    retryMs: 100,
    onState: log.onState,
  });
  t.teardown(() => stream.close());
  stream.onError = (error) => errors.push(error);
  t.is(stream.line, undefined);

  const exchange = async (seed: number) => {
    const socket = accepted[accepted.length - 1];
    const out = [seed, seed + 1, seed + 2];
    const atServer = fromSocket(socket, out.length);
    stream.write(Uint8Array.from(out));
    t.deepEqual(await atServer, out);
    const atStream = collect(stream, 2);
    socket.write(Uint8Array.of(seed ^ 0xff, 0x55));
    t.deepEqual(await atStream, [seed ^ 0xff, 0x55]);
  };
  const connected = () => new Promise<void>((resolve) => {
    onConnection = () => resolve();
  });

  let next = connected();
  await within(stream.whenOpen(), 3000, 'first connect');
  await within(next, 3000, 'server sees the connection');
  await exchange(10);

  // The converter drops the connection; it still listens, so the next attempt gets in.
  next = connected();
  const reopened = stream.whenOpen();
  accepted[accepted.length - 1].destroy();
  await until(() => errors.length === 1, 3000, 'onError after the peer closed');
  await within(reopened, 3000, 'reconnect after the peer closed');
  await within(next, 3000, 'server sees the reconnection');
  t.is(stream.opens, 2);
  t.is(connections, 2);
  await exchange(20);

  // The converter goes away altogether: connection refused until it is back.
  await stop(server);
  await until(() => log.events.some((event) => event.code === 'TCP_CONNECT'), 3000, 'connect error reported');
  t.is(stream.state, 'down');
  t.is(errors.length, 2);
  await delay(300); // more refused attempts: no further reports
  const downs = log.events.filter((event) => event.state === 'down');
  t.deepEqual(downs.map((event) => event.code), ['TCP_CLOSED', 'TCP_CLOSED', 'TCP_CONNECT']);
  t.regex(downs[2].message ?? '', /ECONNREFUSED/);
  t.notThrows(() => stream.write(Uint8Array.of(1, 2)));

  next = connected();
  const back = stream.whenOpen();
  server = await serve(port);
  await within(back, 3000, 'reconnect after the server came back');
  await within(next, 3000, 'the new server sees the connection');
  t.is(stream.opens, 3);
  await exchange(30);
  t.is(errors.length, 2);
  t.is(log.events[log.events.length - 1].state, 'open');
});

test('close() while down stops retrying, and a pending whenOpen() rejects', async (t) => {
  const log = stateLog();
  let attempts = 0;
  const missing = path.join(os.tmpdir(), `axon-reconnect-missing-${process.pid}-${Date.now().toString(36)}`);
  const stream = new ReconnectingStream({
    open: () => {
      attempts += 1;
      return openSerialStream({ path: missing, ...LINE });
    },
    where: missing,
    retryMs: 50,
    onState: log.onState,
  });
  t.teardown(() => stream.close());
  const errors: Error[] = [];
  stream.onError = (error) => errors.push(error);
  await until(() => attempts >= 3, 3000, 'three attempts');
  const pending = stream.whenOpen();
  stream.close();
  t.is(stream.state, 'closed');
  const rejection = await t.throwsAsync(pending);
  t.is((rejection as AxonError).code, 'LINK_CLOSED');
  await t.throwsAsync(stream.whenOpen(), { message: /closed/ });

  const attemptsAtClose = attempts;
  const eventsAtClose = log.events.length;
  await delay(300); // six retry periods
  t.is(attempts, attemptsAtClose);
  t.is(log.events.length, eventsAtClose);
  t.deepEqual(log.events.map((event) => event.state), ['connecting', 'down', 'closed']);
  // onError is for a link that failed under an owner, not for a link that never opened.
  t.is(errors.length, 0);
  stream.close(); // twice is harmless
  t.is(log.events.length, eventsAtClose);
});

test('close() during an open attempt closes the late link and never reports it open', async (t) => {
  const server = net.createServer();
  const serverSockets: net.Socket[] = [];
  server.on('connection', (socket) => serverSockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of serverSockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let link: ClosableByteStream | undefined;
  const log = stateLog();
  const stream = new ReconnectingStream({
    open: async () => {
      await gate;
      link = await connectTcpStream({ host: '127.0.0.1', port });
      return link;
    },
    where: `127.0.0.1:${port}`,
    retryMs: 50,
    onState: log.onState,
  });
  const opened = stream.whenOpen();
  stream.close();
  await t.throwsAsync(opened);
  release();
  await until(() => serverSockets.length === 1, 3000, 'the late connection arrives');
  const serverSide = serverSockets[0];
  // The wrapper closes the late link, so the server sees the client hang up.
  await within(new Promise<void>((resolve) => (serverSide.destroyed ? resolve() : serverSide.once('close', () => resolve()))), 3000, 'late link closed');
  t.truthy(link);
  t.is(stream.opens, 0);
  t.deepEqual(log.events.map((event) => event.state), ['connecting', 'closed']);
});

test('a link whose write throws goes down, and onError arrives after write() returns', async (t) => {
  // A hand-made link: the point is the wrapper's reaction to a throwing write,
  // which real ports only do in a narrow window after an unexpected close.
  const made: Array<ClosableByteStream & { closed: boolean; broken: boolean }> = [];
  const open = async () => {
    const link = {
      onReadable: undefined as ((bytes: Uint8Array) => void) | undefined,
      onError: undefined as ((error: Error) => void) | undefined,
      closed: false,
      broken: false,
      write(_bytes: Uint8Array): void {
        if (this.broken) throw new AxonError('SERIAL_CLOSED', 'write to /dev/ttyTEST after the port closed', { where: '/dev/ttyTEST' });
      },
      close(): void {
        this.closed = true;
      },
    };
    made.push(link);
    return link;
  };
  const stream = new ReconnectingStream({ open, where: '/dev/ttyTEST', retryMs: 50 });
  t.teardown(() => stream.close());
  await within(stream.whenOpen(), 1000, 'open');
  const errors: Error[] = [];
  let insideWrite = false;
  stream.onError = (error) => {
    t.false(insideWrite, 'onError must not run inside write()');
    errors.push(error);
  };
  made[0].broken = true;
  insideWrite = true;
  t.notThrows(() => stream.write(Uint8Array.of(1, 2, 3, 4)));
  insideWrite = false;
  t.is(stream.state, 'down');
  t.is(stream.droppedWriteBytes, 4);
  t.true(made[0].closed);
  t.is(errors.length, 0);
  await delay(0);
  t.is(errors.length, 1);
  t.is((errors[0] as AxonError).code, 'SERIAL_CLOSED');

  // A late event from the discarded link must not disturb its successor.
  await within(stream.whenOpen(), 1000, 'reopen');
  t.is(stream.opens, 2);
  made[0].onError?.(new Error('late'));
  made[0].onReadable?.(Uint8Array.of(7));
  t.is(stream.state, 'open');
  const received = collect(stream, 1, 1000);
  made[1].onReadable?.(Uint8Array.of(8));
  t.deepEqual(await received, [8]);
  t.is(errors.length, 1);
});

test('the retry loop alone does not keep the process alive', async (t) => {
  // A host that has shut everything else down must be able to exit even if it forgot close().
  const module = new URL('./reconnecting-stream.ts', import.meta.url).href;
  const serial = new URL('./serial-stream.ts', import.meta.url).href;
  const script = `
    const { ReconnectingStream } = await import(${JSON.stringify(module)});
    const { openSerialStream } = await import(${JSON.stringify(serial)});
    const stream = new ReconnectingStream({
      open: () => openSerialStream({ path: '/dev/ttyAXON-never-there', baud: 9600 }),
      where: '/dev/ttyAXON-never-there',
      retryMs: 20,
      onState: (state) => console.log(state),
    });
  `;
  const started = Date.now();
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 8000 }, (error, out) => {
      if (error && error.killed) reject(new Error('the process was still running after 8 s'));
      else resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out });
    });
    child.stdin?.end();
  });
  t.is(code, 0);
  t.deepEqual(stdout.trim().split('\n'), ['connecting', 'down']);
  t.log(`exited after ${Date.now() - started} ms`);
});

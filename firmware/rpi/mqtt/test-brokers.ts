/** Test helpers: a throwaway TLS certificate and a real Mosquitto broker on loopback. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function makeSelfSignedCertificate(): { key: string; cert: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  const key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
  const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  return { key, cert, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface MosquittoBroker {
  url: string;
  close(): Promise<void>;
}

export interface MosquittoOptions {
  /** More users besides the first (a platform account, other gateways). */
  users?: ReadonlyArray<{ username: string; password: string }>;
  /** A Mosquitto ACL file (acl_file); without one every user may use every topic. */
  aclFile?: string;
  /** More mosquitto.conf lines. */
  config?: readonly string[];
  /** A PEM certificate for 127.0.0.1 and its key: the broker then listens for mqtts:// only. */
  tls?: { cert: string; key: string };
}

/** Start Mosquitto on a free loopback port with one user (or more). Fails loudly when mosquitto is not installed. */
export async function startMosquitto(user: { username: string; password: string }, options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-mosquitto-'));
  const passwords = path.join(dir, 'passwords');
  writeMosquittoPasswords(passwords, [user, ...(options.users ?? [])]);
  const port = await freePort();
  const acl = options.aclFile === undefined ? [] : [`acl_file ${options.aclFile}`];
  const tls = options.tls === undefined ? [] : [`certfile ${writeIn(dir, 'cert.pem', options.tls.cert)}`, `keyfile ${writeIn(dir, 'key.pem', options.tls.key)}`];
  const config = [`listener ${port} 127.0.0.1`, ...tls, 'allow_anonymous false', `password_file ${passwords}`, ...acl, ...(options.config ?? []), 'persistence false', `user ${os.userInfo().username}`, ''];
  return runMosquitto(dir, config.join('\n'), port, options.tls === undefined ? 'mqtt' : 'mqtts');
}

function writeIn(dir: string, name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
}

/** A Mosquitto password file holding `users`. */
export function writeMosquittoPasswords(file: string, users: ReadonlyArray<{ username: string; password: string }>): void {
  writeFileSync(file, '');
  for (const each of users) {
    try {
      execFileSync('mosquitto_passwd', ['-b', file, each.username, each.password], { stdio: 'ignore' });
    } catch (error) {
      throw new Error(`mosquitto_passwd failed (${(error as Error).message}): install Mosquitto with 'apt-get install mosquitto'`);
    }
  }
}

/** Run Mosquitto on `configText`, which listens on 127.0.0.1:`port`; `dir` (its files) is removed on close. */
export async function runMosquitto(dir: string, configText: string, port: number, scheme: 'mqtt' | 'mqtts' = 'mqtt'): Promise<MosquittoBroker> {
  const config = path.join(dir, 'mosquitto.conf');
  writeFileSync(config, configText);
  const child: ChildProcess = spawn('mosquitto', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`cannot start mosquitto (${e.message}): install it with 'apt-get install mosquitto'`))));
  // A hang guard, not a speed test: on a loaded 2-core machine a cold start can take many seconds.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const up = await Promise.race([canConnect(port), spawnError]);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

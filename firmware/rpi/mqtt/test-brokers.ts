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

/**
 * Start Mosquitto on a free loopback port with one user; with `tls` (a PEM
 * certificate for 127.0.0.1 and its key) it listens for mqtts:// only. Fails
 * loudly when mosquitto is not installed.
 */
export async function startMosquitto(user: { username: string; password: string }, tls?: { cert: string; key: string }): Promise<MosquittoBroker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-mosquitto-'));
  const passwords = path.join(dir, 'passwords');
  writeFileSync(passwords, '');
  try {
    execFileSync('mosquitto_passwd', ['-b', passwords, user.username, user.password], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(`mosquitto_passwd failed (${(error as Error).message}): install Mosquitto with 'apt-get install mosquitto'`);
  }
  const port = await freePort();
  const config = path.join(dir, 'mosquitto.conf');
  if (tls !== undefined) {
    writeFileSync(path.join(dir, 'cert.pem'), tls.cert);
    writeFileSync(path.join(dir, 'key.pem'), tls.key);
  }
  const tlsLines = tls === undefined ? [] : [`certfile ${path.join(dir, 'cert.pem')}`, `keyfile ${path.join(dir, 'key.pem')}`];
  writeFileSync(config, [`listener ${port} 127.0.0.1`, ...tlsLines, 'allow_anonymous false', `password_file ${passwords}`, 'persistence false', `user ${os.userInfo().username}`, ''].join('\n'));
  const child: ChildProcess = spawn('mosquitto', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`cannot start mosquitto (${e.message}): install it with 'apt-get install mosquitto'`))));
  const deadline = Date.now() + 5000;
  for (;;) {
    const up = await Promise.race([canConnect(port), spawnError]);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `${tls === undefined ? 'mqtt' : 'mqtts'}://127.0.0.1:${port}`,
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

/**
 * Aedes as the gateway's embedded MQTT broker (the default when a site has no
 * broker of its own, and the broker the tests use). Plain TCP or TLS, with
 * optional per-client credentials.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  /** 0 picks a free port (default 1883). */
  port?: number;
  host?: string;
  /** username → password; when set, every client must authenticate. */
  credentials?: Record<string, string>;
  /** PEM key and certificate: serve MQTT over TLS. */
  tls?: { key: string; cert: string };
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  broker: Aedes;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const credentials = options.credentials;
  if (credentials !== undefined) {
    broker.authenticate = (_client, username, password, done) => {
      const ok = username !== undefined && password !== undefined && credentials[username] === password.toString();
      if (ok) done(null, true);
      else done(Object.assign(new Error('Bad username or password'), { returnCode: 4 }) as Parameters<typeof done>[0], false);
    };
  }
  const server = options.tls === undefined ? net.createServer(broker.handle) : tls.createServer(options.tls, broker.handle);
  // Track connections so close() can end them: server.close() waits for every socket.
  const sockets = new Set<net.Socket>();
  server.on(options.tls === undefined ? 'connection' : 'secureConnection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 1883, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls === undefined ? 'mqtt' : 'mqtts'}://${host}:${port}`,
    port,
    broker,
    async close() {
      // Stop accepting first, so reconnecting clients cannot slip in while the broker shuts down.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

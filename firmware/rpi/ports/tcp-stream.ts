/** The ByteStream port over TCP (Modbus TCP devices, serial-to-Ethernet converters). */
import net from 'node:net';
import type { ByteStream } from '../../../drivers/ports/byte-stream.js';
import { AxonError } from '../../../drivers/errors.js';

export interface TcpStreamOptions {
  host: string;
  port: number;
  /** Give up connecting after this long. Default 5000 ms. */
  timeoutMs?: number;
}

export class TcpLinkError extends AxonError {
  constructor(code: string, message: string, where: string, fix: string, cause?: unknown) {
    super(code, message, { where, fix, cause });
  }
}

export class TcpStream implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly where: string;
  readonly #socket: net.Socket;
  #closing = false;
  #failed = false;

  constructor(socket: net.Socket, where: string) {
    this.#socket = socket;
    this.where = where;
    socket.on('data', (chunk: Buffer) => this.onReadable?.(new Uint8Array(chunk)));
    socket.on('error', (error) => {
      this.#fail(new TcpLinkError('TCP_LINK', `connection to ${where} failed: ${error.message}`, where, 'check the network path to the device; the gateway reconnects on the next poll', error));
    });
    socket.on('close', () => {
      if (!this.#closing) {
        this.#fail(new TcpLinkError('TCP_CLOSED', `connection to ${where} closed by the peer`, where, 'the device or converter dropped the connection (many allow only one client): check that no other master is connected'));
      }
    });
  }

  write(bytes: Uint8Array): void {
    if (this.#closing || this.#socket.destroyed) {
      throw new TcpLinkError('TCP_CLOSED', `write to ${this.where} after the connection closed`, this.where, 'reconnect before writing');
    }
    this.#socket.write(bytes);
  }

  close(): void {
    this.#closing = true;
    this.#socket.destroy();
  }

  #fail(error: Error): void {
    if (this.#failed) return; // onError is called once per link
    this.#failed = true;
    this.onError?.(error);
  }
}

export function connectTcpStream(options: TcpStreamOptions): Promise<TcpStream> {
  const where = `${options.host}:${options.port}`;
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TcpLinkError('TCP_CONNECT_TIMEOUT', `no TCP connection to ${where} within ${timeoutMs} ms`, where, 'check the IP address, that the device is powered and on this network, and firewalls in between'));
    }, timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new TcpLinkError(
          'TCP_CONNECT',
          `cannot connect to ${where}: ${error.code ?? error.message}`,
          where,
          error.code === 'ECONNREFUSED'
            ? `nothing listens on port ${options.port} there: check the port (Modbus TCP uses 502) and that the device's TCP server is enabled`
            : 'check the host name or IP address and the network',
          error,
        ),
      );
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true); // Modbus requests are tiny; Nagle would add up to 40 ms per poll
      resolve(new TcpStream(socket, where));
    });
  });
}

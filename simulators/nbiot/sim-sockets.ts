/**
 * UDP sockets of the simulated modem: AT+NSOCR/NSOST/NSORF/NSOCL, with
 * datagrams queued per socket and announced by +NSONMI as BC95 does.
 */
import { fromHex } from '../../drivers/bytes.js';
import type { SimArg } from './at-command.js';
import { hexUpper, num, type SimIo } from './sim-io.js';

export interface SimDatagram {
  socket: number;
  localPort: number;
  ip: string;
  port: number;
  payload: Uint8Array;
}

export type UdpNetwork = (datagram: SimDatagram, reply: (payload: Uint8Array) => void) => void;

interface SimSocket {
  localPort: number;
  queue: Array<{ ip: string; port: number; payload: Uint8Array }>;
}

const MAX_SOCKETS = 7;
const MAX_DATAGRAM = 512;

export class SimSockets {
  readonly #io: SimIo;
  readonly #nsorfPrefix: boolean;
  readonly #network: UdpNetwork;
  /** Rolled on every send: true makes it fail with +CME ERROR: 159 (uplink busy). */
  readonly #sendFails: () => boolean;
  readonly #sockets = new Map<number, SimSocket>();

  constructor(io: SimIo, options: { nsorfPrefix: boolean; network: UdpNetwork; sendFails: () => boolean }) {
    this.#io = io;
    this.#nsorfPrefix = options.nsorfPrefix;
    this.#network = options.network;
    this.#sendFails = options.sendFails;
  }

  get count(): number {
    return this.#sockets.size;
  }

  clear(): void {
    this.#sockets.clear();
  }

  create(args: SimArg[]): void {
    const io = this.#io;
    if (args[0]?.text !== 'DGRAM' || num(args[1]) !== 17) return io.error(50);
    const localPort = num(args[2]);
    if (localPort < 0 || (localPort !== 0 && [...this.#sockets.values()].some((s) => s.localPort === localPort))) return io.error(50);
    for (let id = 0; id < MAX_SOCKETS; id++) {
      if (this.#sockets.has(id)) continue;
      this.#sockets.set(id, { localPort: localPort === 0 ? 56000 + id : localPort, queue: [] });
      // BC95 answers the id bare, without a "+NSOCR:" prefix.
      return io.ok([String(id)]);
    }
    io.error(50);
  }

  send(args: SimArg[]): void {
    const io = this.#io;
    const id = num(args[0]);
    const socket = this.#sockets.get(id);
    if (socket === undefined) return io.error(530);
    const [ip, port, length, data] = [args[1]?.text ?? '', num(args[2]), num(args[3]), args[4]?.text ?? ''];
    if (!/^[0-9A-Fa-f]*$/.test(data) || data.length !== 2 * length || length > MAX_DATAGRAM) return io.error(50);
    if (!io.isAttached()) return io.error(516);
    if (this.#sendFails()) return io.error(159);
    io.ok([`${id},${length}`]);
    const datagram: SimDatagram = { socket: id, localPort: socket.localPort, ip, port, payload: fromHex(data) };
    io.later(io.networkDelayMs, () => {
      this.#network(datagram, (answer) => io.later(io.networkDelayMs, () => this.deliver(id, ip, port, answer)));
    });
  }

  read(args: SimArg[]): void {
    const io = this.#io;
    const id = num(args[0]);
    const socket = this.#sockets.get(id);
    if (socket === undefined) return io.error(530);
    const head = socket.queue[0];
    if (head === undefined) return io.ok();
    const part = head.payload.subarray(0, Math.max(1, num(args[1])));
    const remaining = head.payload.length - part.length;
    if (remaining === 0) socket.queue.shift();
    else head.payload = head.payload.slice(part.length);
    const body = `${id},${head.ip},${head.port},${part.length},${hexUpper(part)},${remaining}`;
    io.ok([this.#nsorfPrefix ? `+NSORF:${body}` : body]);
  }

  close(args: SimArg[]): void {
    if (this.#sockets.delete(num(args[0]))) this.#io.ok();
    else this.#io.error(50);
  }

  /** A datagram from the network: queued on the socket and announced with +NSONMI. */
  deliver(socket: number, fromIp: string, fromPort: number, payload: Uint8Array): boolean {
    const entry = this.#sockets.get(socket);
    if (entry === undefined || !this.#io.isAttached()) return false;
    entry.queue.push({ ip: fromIp, port: fromPort, payload: payload.slice() });
    this.#io.urc(`+NSONMI:${socket},${payload.length}`);
    return true;
  }
}

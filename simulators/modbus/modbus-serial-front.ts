/**
 * The real-wire device simulator: modbus-serial's own servers (ServerSerial for
 * RTU on a serial port or pty, ServerTCP for Modbus TCP) answering from a
 * DeviceSimulator. The gateway's master is ours; the slave it talks to here is an
 * independent implementation, so a shared misreading of the spec cannot hide.
 *
 * Faults:
 * - RTU: ServerSerial sends replies through `options.portResponse.write()` when
 *   given; we pass an object that runs each reply frame through the
 *   FaultInjector and then writes (or withholds, or delays) it on the real port.
 *   All seven fault kinds apply.
 * - TCP: ServerTCP writes straight to its sockets and has no such hook, and it
 *   cannot listen on an ephemeral port (port 0 falls back to 502). So ServerTCP
 *   listens on a free loopback port and a small proxy in front of it owns the
 *   public port: requests pass through untouched, replies are framed by their
 *   MBAP length and run through the FaultInjector's TCP variant. `crc` does not
 *   exist on TCP and is refused in the configuration.
 *
 * Known differences from a real device, both inside modbus-serial's server
 * (not worked around here):
 * - ServerSerial recomputes the CRC of whatever request it received before
 *   checking it, so it answers requests whose CRC is wrong. Our RtuSlave
 *   (rtu-slave.ts) stays silent, as devices do; use it to test that case.
 * - ServerSerial frames requests by a 30 ms inter-byte silence, not by t3.5, so
 *   its turnaround is at least ~30 ms (typical of cheap devices anyway).
 */
import net from 'node:net';
import { ServerSerial, ServerTCP, type IServiceVector } from 'modbus-serial';
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import type { Parity } from '../../drivers/ports/byte-stream.js';
import type { Clock } from '../../drivers/ports/clock.js';
import { AxonError } from '../../drivers/errors.js';
import { NodeClock } from '../../firmware/rpi/ports/node-clock.js';
import { DeviceSimulator, type ModbusExceptionResult } from '../device-sim.js';
import { FaultInjector, parseFaults, type FaultSpec, type FaultOutcome } from './faults.js';

/** Faults as CLI text ("crc,slow:0.5"), parsed specs, or a ready injector (tests use injectNext on it). */
export type FaultOption = string | readonly FaultSpec[] | FaultInjector;

interface CommonSimOptions {
  manifest: DeviceManifest;
  /** Unit id answered (1–247). Default: the manifest's defaultAddress. */
  unit?: number;
  faults?: FaultOption;
  seed?: number;
  /** Time source for the models. Default a NodeClock; tests pass a VirtualClock to freeze values. */
  clock?: Clock;
  /** Delay of a `slow` fault. Default 1200 ms. */
  slowMs?: number;
  /** Simulated minutes per clock minute (default 1; 60 plays an hour-long storm in a minute). */
  speed?: number;
}

export interface ModbusSimHandle {
  simulator: DeviceSimulator;
  faults: FaultInjector;
  unit: number;
  close(): Promise<void>;
}

export interface ModbusTcpSimHandle extends ModbusSimHandle {
  /** The port actually listened on (useful when 0 was asked for). */
  port: number;
  host: string;
}

export class SimulatorStartError extends AxonError {
  constructor(code: string, message: string, where: string, fix: string, cause?: unknown) {
    super(code, message, { where, fix, cause });
  }
}

/** Error shape modbus-serial's server turns into an exception reply. */
class ModbusExceptionSignal extends Error {
  readonly modbusErrorCode: number;
  constructor(code: number) {
    super(`Modbus exception ${code}`);
    this.modbusErrorCode = code;
  }
}

function orThrow<T>(result: T[] | ModbusExceptionResult): T[] {
  if (!Array.isArray(result)) throw new ModbusExceptionSignal(result.exception);
  return result;
}

function throwIfException(result: ModbusExceptionResult | undefined): void {
  if (result !== undefined) throw new ModbusExceptionSignal(result.exception);
}

/**
 * modbus-serial's service vector over a simulator. Synchronous functions with no
 * callback parameter: the server tells the styles apart by function arity.
 */
export function simulatorVector(sim: DeviceSimulator): IServiceVector {
  return {
    getCoil: (address: number) => orThrow(sim.readBits(1, address, 1))[0],
    getDiscreteInput: (address: number) => orThrow(sim.readBits(2, address, 1))[0],
    getHoldingRegister: (address: number) => orThrow(sim.readRegisters(3, address, 1))[0],
    getInputRegister: (address: number) => orThrow(sim.readRegisters(4, address, 1))[0],
    // Multi-register reads go through one call so a 32-bit value is never torn between two model times.
    getMultipleHoldingRegisters: (address: number, length: number) => orThrow(sim.readRegisters(3, address, length)),
    getMultipleInputRegisters: (address: number, length: number) => orThrow(sim.readRegisters(4, address, length)),
    setCoil: (address: number, value: boolean) => throwIfException(sim.writeCoil(address, value)),
    setRegister: (address: number, value: number) => throwIfException(sim.writeRegister(address, value)),
    setRegisterArray: (address: number, values: number[]) => throwIfException(sim.writeRegisters(address, values)),
  };
}

function makeInjector(faults: FaultOption | undefined, seed: number | undefined, slowMs: number | undefined): FaultInjector {
  if (faults instanceof FaultInjector) return faults;
  const specs = typeof faults === 'string' ? parseFaults(faults) : (faults ?? []);
  return new FaultInjector({ faults: specs, seed: seed ?? 1, slowMs });
}

function resolveUnit(manifest: DeviceManifest, unit: number | undefined): number {
  const value = unit ?? (typeof manifest.defaultAddress === 'number' ? manifest.defaultAddress : Number(manifest.defaultAddress));
  if (!Number.isInteger(value) || value < 1 || value > 247) {
    throw new SimulatorStartError('SIM_BAD_UNIT', `unit id ${String(unit ?? manifest.defaultAddress)} is not 1–247`, manifest.id, 'give --unit between 1 and 247');
  }
  return value;
}

/** Replies held back by faults, so close() can drop them and the process can exit. */
class DelayedWrites {
  readonly #timers = new Set<NodeJS.Timeout>();
  #lastAt = 0;
  /**
   * Send after `delayMs`, never before an earlier reply on the same link (a slow
   * device delays everything queued behind it).
   */
  send(outcome: FaultOutcome, write: (bytes: Uint8Array) => void): void {
    const bytes = outcome.bytes;
    if (bytes === undefined) return;
    if (outcome.delayMs <= 0 && this.#timers.size === 0) {
      write(bytes);
      return;
    }
    const at = Math.max(Date.now() + outcome.delayMs, this.#lastAt);
    this.#lastAt = at;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      write(bytes);
    }, at - Date.now());
    this.#timers.add(timer);
  }
  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

export interface ModbusRtuSimOptions extends CommonSimOptions {
  path: string;
  baud: number;
  parity?: Parity;
  stopBits?: 1 | 2;
  dataBits?: 7 | 8;
}

type ServerSerialConstructor = new (
  vector: IServiceVector,
  options: Record<string, unknown>,
  serialportOptions?: Record<string, unknown>,
) => ServerSerial & { getPort(): { write(data: Buffer): boolean; isOpen: boolean } };

export async function startModbusRtuSim(options: ModbusRtuSimOptions): Promise<ModbusSimHandle> {
  const unit = resolveUnit(options.manifest, options.unit);
  const simulator = new DeviceSimulator({ manifest: options.manifest, clock: options.clock ?? new NodeClock(), seed: options.seed, speed: options.speed });
  const faults = makeInjector(options.faults, options.seed, options.slowMs);
  const delayed = new DelayedWrites();
  let server: InstanceType<ServerSerialConstructor> | undefined;
  const portResponse = {
    write(reply: Buffer): void {
      const outcome = faults.applyRtu(new Uint8Array(reply));
      delayed.send(outcome, (bytes) => {
        const port = server?.getPort();
        if (port?.isOpen) port.write(Buffer.from(bytes));
      });
    },
  };
  const Server = ServerSerial as unknown as ServerSerialConstructor;
  await new Promise<void>((resolve, reject) => {
    server = new Server(
      simulatorVector(simulator),
      {
        path: options.path,
        baudRate: options.baud,
        parity: options.parity ?? 'none',
        // ServerSerial answers every unit id when unitID is 255 (its default); a real device answers only its own.
        unitID: unit,
        portResponse,
        openCallback: (error: Error | null) => {
          if (error) {
            reject(new SimulatorStartError('SIM_SERIAL_OPEN', `simulator cannot open ${options.path}: ${error.message}`, options.path, 'check the path (for a virtual port use --pty, which creates it)', error));
          } else resolve();
        },
      },
      { stopBits: options.stopBits ?? 1, dataBits: options.dataBits ?? 8 },
    );
  });
  let closing: Promise<void> | undefined;
  return {
    simulator,
    faults,
    unit,
    close() {
      closing ??= new Promise<void>((resolve) => {
        delayed.clear();
        server?.close(() => resolve());
      });
      return closing;
    },
  };
}

export interface ModbusTcpSimOptions extends CommonSimOptions {
  /** Public port; 0 picks a free one (see the returned `port`). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export async function startModbusTcpSim(options: ModbusTcpSimOptions): Promise<ModbusTcpSimHandle> {
  const unit = resolveUnit(options.manifest, options.unit);
  const host = options.host ?? '127.0.0.1';
  const faults = makeInjector(options.faults, options.seed, options.slowMs);
  if (faults.faults.some((f) => f.kind === 'crc')) {
    throw new SimulatorStartError('SIM_FAULT_NOT_ON_TCP', 'the crc fault does not exist on Modbus TCP (MBAP frames carry no CRC)', `tcp ${host}:${options.port}`,
      'use garbage or truncate to corrupt TCP replies, or simulate the device on a serial line (--pty) to test CRC errors');
  }
  const simulator = new DeviceSimulator({ manifest: options.manifest, clock: options.clock ?? new NodeClock(), seed: options.seed, speed: options.speed });
  const backendPort = await freeLoopbackPort();
  const backend = new ServerTCP(simulatorVector(simulator), { host: '127.0.0.1', port: backendPort, unitID: unit });
  await new Promise<void>((resolve, reject) => {
    backend.once('initialized', () => resolve());
    backend.once('serverError', (error: Error | null) => reject(error ?? new Error('ServerTCP failed to listen')));
  });

  const links = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: backendPort });
    const delayed = new DelayedWrites();
    links.add(client);
    links.add(upstream);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // MBAP: transaction(2) protocol(2) length(2), then `length` bytes (unit id + PDU).
      while (pending.length >= 6 && pending.length >= 6 + pending.readUInt16BE(4)) {
        const size = 6 + pending.readUInt16BE(4);
        const frame = new Uint8Array(pending.subarray(0, size));
        pending = pending.subarray(size);
        delayed.send(faults.applyTcp(frame), (bytes) => {
          if (!client.destroyed) client.write(bytes);
        });
      }
    });
    const shut = () => {
      delayed.clear();
      client.destroy();
      upstream.destroy();
      links.delete(client);
      links.delete(upstream);
    };
    client.on('close', shut);
    upstream.on('close', shut);
    client.on('error', shut);
    upstream.on('error', shut);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', (error: NodeJS.ErrnoException) =>
      reject(new SimulatorStartError('SIM_TCP_LISTEN', `cannot listen on ${host}:${options.port}: ${error.code ?? error.message}`, `${host}:${options.port}`,
        error.code === 'EADDRINUSE' ? 'another program uses this port: pick another with --tcp <port>' : 'ports below 1024 need root; use e.g. --tcp 5020', error)),
    );
    proxy.listen({ host, port: options.port }, () => resolve());
  });
  const address = proxy.address() as net.AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    simulator,
    faults,
    unit,
    host,
    port: address.port,
    close() {
      closing ??= (async () => {
        for (const socket of links) socket.destroy();
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
        await new Promise<void>((resolve) => backend.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** A loopback port nobody listens on right now (ServerTCP cannot take port 0). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * What RTU and TCP masters share: the public API, one transaction at a time on
 * the link, retries for transient failures, and counters. Transports only move
 * a PDU to a unit and bring back the reply PDU (or throw a Modbus error).
 */
import type { ModbusClient, ModbusStats, RequestOptions } from './client.js';
import { emptyStats } from './client.js';
import { ModbusError } from './errors.js';
import {
  bitsFromReply,
  checkReplyPdu,
  prepareRead,
  prepareWriteMultipleCoils,
  prepareWriteMultipleRegisters,
  prepareWriteSingleCoil,
  prepareWriteSingleRegister,
  registersFromReply,
  type PreparedRequest,
} from './pdu.js';

export interface MasterOptions {
  /** Response timeout, ms (default 1000). */
  timeoutMs?: number;
  /** Extra attempts after a transient failure (default 1). */
  retries?: number;
  /** Name used in error messages (port path or URL). */
  name?: string;
}

/** Failures worth another attempt: the device may answer fine next time. */
const RETRYABLE = new Set(['MODBUS_TIMEOUT', 'MODBUS_LATE_RESPONSE', 'MODBUS_CRC', 'MODBUS_NOISE', 'MODBUS_TRUNCATED', 'MODBUS_TRANSACTION_MISMATCH']);

export abstract class ModbusMaster implements ModbusClient {
  readonly stats: ModbusStats = emptyStats();
  protected readonly timeoutMs: number;
  protected readonly retries: number;
  protected readonly name: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: MasterOptions) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.retries = options.retries ?? 1;
    this.name = options.name;
  }

  /** Send one request PDU and return the raw reply PDU (unit already checked). */
  protected abstract exchange(request: PreparedRequest, timeoutMs: number): Promise<Uint8Array>;

  /** Broadcast (unit 0): send and give devices time to act; no reply comes. */
  protected abstract broadcast(request: PreparedRequest): Promise<void>;

  protected abstract closeTransport(): void;

  get closed(): boolean {
    return this.#closed;
  }

  async readCoils(unit: number, address: number, count: number, options?: RequestOptions): Promise<boolean[]> {
    const request = prepareRead(unit, 1, address, count);
    return bitsFromReply(await this.#transact(request, options), count);
  }

  async readDiscreteInputs(unit: number, address: number, count: number, options?: RequestOptions): Promise<boolean[]> {
    const request = prepareRead(unit, 2, address, count);
    return bitsFromReply(await this.#transact(request, options), count);
  }

  async readHoldingRegisters(unit: number, address: number, count: number, options?: RequestOptions): Promise<Uint16Array> {
    const request = prepareRead(unit, 3, address, count);
    return registersFromReply(await this.#transact(request, options), count);
  }

  async readInputRegisters(unit: number, address: number, count: number, options?: RequestOptions): Promise<Uint16Array> {
    const request = prepareRead(unit, 4, address, count);
    return registersFromReply(await this.#transact(request, options), count);
  }

  async writeSingleCoil(unit: number, address: number, value: boolean, options?: RequestOptions): Promise<void> {
    await this.#transact(prepareWriteSingleCoil(unit, address, value), options);
  }

  async writeSingleRegister(unit: number, address: number, value: number, options?: RequestOptions): Promise<void> {
    await this.#transact(prepareWriteSingleRegister(unit, address, value), options);
  }

  async writeMultipleCoils(unit: number, address: number, values: readonly boolean[], options?: RequestOptions): Promise<void> {
    await this.#transact(prepareWriteMultipleCoils(unit, address, values), options);
  }

  async writeMultipleRegisters(unit: number, address: number, values: ArrayLike<number>, options?: RequestOptions): Promise<void> {
    await this.#transact(prepareWriteMultipleRegisters(unit, address, values), options);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closeTransport();
  }

  /** Run transactions strictly one after another: a bus carries one conversation at a time. */
  #transact(request: PreparedRequest, options: RequestOptions | undefined): Promise<Uint8Array> {
    if (this.name !== undefined) request.ctx.port = this.name;
    const run = this.#queue.then(
      () => this.#attempts(request, options),
      () => this.#attempts(request, options),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #attempts(request: PreparedRequest, options: RequestOptions | undefined): Promise<Uint8Array> {
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const retries = options?.retries ?? this.retries;
    if (request.ctx.unit === 0) {
      this.stats.requests++;
      await this.broadcast(request);
      return new Uint8Array(0);
    }
    for (let attempt = 0; ; attempt++) {
      this.stats.requests++;
      try {
        const reply = checkReplyPdu(request, await this.exchange(request, timeoutMs));
        this.stats.responses++;
        return reply;
      } catch (error) {
        const code = error instanceof ModbusError ? error.code : 'OTHER';
        this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
        if (!RETRYABLE.has(code) || attempt >= retries || this.#closed) throw error;
        this.stats.retries++;
      }
    }
  }
}

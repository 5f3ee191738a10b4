/** What every Modbus master (RTU or TCP) offers to device drivers and the CLI. */
export interface RequestOptions {
  /** Response timeout for this request, ms. */
  timeoutMs?: number;
  /** Extra attempts after a failed one (timeouts, CRC, noise, truncation; never after an exception). */
  retries?: number;
}

export interface ModbusClient {
  readCoils(unit: number, address: number, count: number, options?: RequestOptions): Promise<boolean[]>;
  readDiscreteInputs(unit: number, address: number, count: number, options?: RequestOptions): Promise<boolean[]>;
  readHoldingRegisters(unit: number, address: number, count: number, options?: RequestOptions): Promise<Uint16Array>;
  readInputRegisters(unit: number, address: number, count: number, options?: RequestOptions): Promise<Uint16Array>;
  writeSingleCoil(unit: number, address: number, value: boolean, options?: RequestOptions): Promise<void>;
  writeSingleRegister(unit: number, address: number, value: number, options?: RequestOptions): Promise<void>;
  writeMultipleCoils(unit: number, address: number, values: readonly boolean[], options?: RequestOptions): Promise<void>;
  writeMultipleRegisters(unit: number, address: number, values: ArrayLike<number>, options?: RequestOptions): Promise<void>;
  /** Counters for diagnostics and the live view. */
  readonly stats: ModbusStats;
  close(): void;
}

export interface ModbusStats {
  requests: number;
  responses: number;
  retries: number;
  /** Failures by error code (MODBUS_TIMEOUT, MODBUS_CRC, …). */
  errors: Record<string, number>;
  /** Bytes discarded while resynchronising on noise. */
  discardedBytes: number;
}

export function emptyStats(): ModbusStats {
  return { requests: 0, responses: 0, retries: 0, errors: {}, discardedBytes: 0 };
}

/**
 * How the scheduler runs its own (stable) read plan while the manifest-driven
 * ModbusDevice keeps doing the decoding. The scheduler sends the plan's
 * requests and records what came back in a PollImage; the device's client is
 * a PlanImageClient that answers the device's reads from that image instead of
 * the wire. Reads the image does not cover (the config registers the device
 * reads once, the read-modify-write of a bit point) pass through to the bus.
 *
 * When the stable plan equals the device's own plan (the usual case) every
 * device read maps to exactly one request on the wire. When they differ (a
 * point was added since the plan was made) a device read is assembled from
 * several image requests; registers no point uses read as 0, and a read fails
 * with the error of any image request that served one of its points.
 */
import type { ModbusClient, ModbusStats, RequestOptions } from '../modbus/client.js';
import type { ReadRequest } from '../devices/read-plan.js';

type Fc = 1 | 2 | 3 | 4;

export class PollImage {
  readonly #deviceRequests: readonly ReadRequest[];
  readonly #values = new Map<string, number>();
  readonly #failures = new Map<string, Error>();

  /** `deviceRequests`: the reads the device driver will make (ModbusDevice.requests). */
  constructor(deviceRequests: readonly ReadRequest[]) {
    this.#deviceRequests = deviceRequests;
  }

  /** Record the registers (or bits as 0/1) a plan request returned. */
  store(request: ReadRequest, values: ArrayLike<number>): void {
    for (let i = 0; i < request.count; i++) this.#values.set(key(request.fc, request.address + i), values[i]);
  }

  /** Record that a plan request failed: every point it serves fails with `error`. */
  fail(request: ReadRequest, error: Error): void {
    for (const id of request.points) this.#failures.set(id, error);
  }

  /**
   * The answer to a device read: values, the error of a failed plan request,
   * or undefined when the read is not one of the device's planned reads (it
   * goes to the wire).
   */
  answer(fc: Fc, address: number, count: number): number[] | Error | undefined {
    const read = this.#deviceRequests.find((r) => r.fc === fc && r.address === address && r.count === count);
    if (read === undefined) return undefined;
    for (const id of read.points) {
      const failure = this.#failures.get(id);
      if (failure !== undefined) return failure;
    }
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.#values.get(key(fc, address + i)) ?? 0);
    return out;
  }
}

function key(fc: Fc, address: number): string {
  return `${fc}:${address}`;
}

/** A ModbusClient for one device: planned reads from the current PollImage, everything else on the wire. */
export class PlanImageClient implements ModbusClient {
  readonly #wire: ModbusClient;
  #image: PollImage | undefined;

  constructor(wire: ModbusClient) {
    this.#wire = wire;
  }

  get stats(): ModbusStats {
    return this.#wire.stats;
  }

  /** Serve planned reads from `image` until cleared with undefined. */
  serve(image: PollImage | undefined): void {
    this.#image = image;
  }

  async readCoils(unit: number, address: number, count: number, options?: RequestOptions): Promise<boolean[]> {
    const served = this.#served(1, address, count);
    return served === undefined ? this.#wire.readCoils(unit, address, count, options) : served.map((v) => v !== 0);
  }

  async readDiscreteInputs(unit: number, address: number, count: number, options?: RequestOptions): Promise<boolean[]> {
    const served = this.#served(2, address, count);
    return served === undefined ? this.#wire.readDiscreteInputs(unit, address, count, options) : served.map((v) => v !== 0);
  }

  async readHoldingRegisters(unit: number, address: number, count: number, options?: RequestOptions): Promise<Uint16Array> {
    const served = this.#served(3, address, count);
    return served === undefined ? this.#wire.readHoldingRegisters(unit, address, count, options) : Uint16Array.from(served);
  }

  async readInputRegisters(unit: number, address: number, count: number, options?: RequestOptions): Promise<Uint16Array> {
    const served = this.#served(4, address, count);
    return served === undefined ? this.#wire.readInputRegisters(unit, address, count, options) : Uint16Array.from(served);
  }

  writeSingleCoil(unit: number, address: number, value: boolean, options?: RequestOptions): Promise<void> {
    return this.#wire.writeSingleCoil(unit, address, value, options);
  }

  writeSingleRegister(unit: number, address: number, value: number, options?: RequestOptions): Promise<void> {
    return this.#wire.writeSingleRegister(unit, address, value, options);
  }

  writeMultipleCoils(unit: number, address: number, values: readonly boolean[], options?: RequestOptions): Promise<void> {
    return this.#wire.writeMultipleCoils(unit, address, values, options);
  }

  writeMultipleRegisters(unit: number, address: number, values: ArrayLike<number>, options?: RequestOptions): Promise<void> {
    return this.#wire.writeMultipleRegisters(unit, address, values, options);
  }

  /** The bus master is shared by every device on the port; the scheduler closes it. */
  close(): void {}

  #served(fc: Fc, address: number, count: number): number[] | undefined {
    const answer = this.#image?.answer(fc, address, count);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

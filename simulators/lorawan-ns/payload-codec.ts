/**
 * The device profile's payload codec, as a network server runs it: the
 * generated Axon codec (sdk/codec/generate-codec.ts) loaded into its own
 * JavaScript context (node:vm), called with ChirpStack v4's inputs
 * (decodeUplink({bytes, fPort, recvTime, variables}),
 * encodeDownlink({data, variables})) and read as ChirpStack reads the result:
 * non-empty `errors` fail the call. So `object` in the simulator's events is
 * exactly what a real ChirpStack with the same codec publishes.
 */
import vm from 'node:vm';
import type { ChannelTable } from '../../drivers/batch/channels.js';
import { codecPorts, type CodecPorts } from '../../sdk/codec/codec-ports.js';
import { generateCodec } from '../../sdk/codec/generate-codec.js';

/** Inputs cross into the codec's context as JSON, so its `instanceof Array` and `Date` checks see its own realm. */
const CALLER = `
function axonSimCall(name, json, recvTimeMs) {
  var input = JSON.parse(json);
  if (recvTimeMs !== undefined) input.recvTime = new Date(recvTimeMs);
  var fn = name === 'decodeUplink' ? decodeUplink : encodeDownlink;
  return JSON.stringify(fn(input));
}`;

type Caller = (name: string, json: string, recvTimeMs?: number) => string | undefined;

export type CodecOutcome<T> = { ok: T } | { error: string };

/** Loading a codec that takes longer than this fails (a runaway top level), as ChirpStack bounds a codec's run time. */
const LOAD_LIMIT_MS = 1000;

export class PayloadCodec {
  readonly source: string;
  readonly #call: Caller;

  constructor(source: string) {
    this.source = source;
    const context = vm.createContext({});
    vm.runInContext(`${source}\n${CALLER}`, context, { timeout: LOAD_LIMIT_MS, filename: 'codec.js' });
    this.#call = context.axonSimCall as Caller;
  }

  static #byTable = new WeakMap<ChannelTable, PayloadCodec>();

  /** The generated codec for a channel table (one per table object). */
  static forTable(table: ChannelTable, ports: CodecPorts = codecPorts()): PayloadCodec {
    let codec = PayloadCodec.#byTable.get(table);
    if (codec === undefined) PayloadCodec.#byTable.set(table, (codec = new PayloadCodec(generateCodec(table, { ports }))));
    return codec;
  }

  #run(name: 'decodeUplink' | 'encodeDownlink', input: unknown, recvTimeMs?: number): CodecOutcome<Record<string, unknown>> {
    let result: unknown;
    try {
      result = JSON.parse(this.#call(name, JSON.stringify(input), recvTimeMs) ?? 'null');
    } catch (error) {
      return { error: `JS error: ${(error as Error).message ?? String(error)}` };
    }
    const errors = (result as { errors?: unknown } | null)?.errors;
    if (Array.isArray(errors) && errors.length > 0) return { error: `${name} returned errors: ${errors.map(String).join(', ')}` };
    if (typeof result !== 'object' || result === null) return { error: `${name} returned no object` };
    return { ok: result as Record<string, unknown> };
  }

  /** ChirpStack's decode: the `object` of the up event, or why there is none (an UPLINK_CODEC log). */
  decodeUplink(input: { bytes: Uint8Array; fPort: number; recvTimeMs: number; variables?: Record<string, string> }): CodecOutcome<Record<string, unknown>> {
    const outcome = this.#run('decodeUplink', { bytes: [...input.bytes], fPort: input.fPort, variables: input.variables ?? {} }, input.recvTimeMs);
    if ('error' in outcome) return outcome;
    const data = outcome.ok.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return { error: "decodeUplink did not return 'data'" };
    return { ok: data as Record<string, unknown> };
  }

  /** ChirpStack's encode of a `{object}` downlink command: the bytes, and the codec's FPort (else the command's). */
  encodeDownlink(input: { data: unknown; fPort: number; variables?: Record<string, string> }): CodecOutcome<{ fPort: number; bytes: Uint8Array }> {
    const outcome = this.#run('encodeDownlink', { data: input.data, variables: input.variables ?? {} });
    if ('error' in outcome) return outcome;
    const { bytes, fPort } = outcome.ok;
    if (!Array.isArray(bytes)) return { error: 'encodeDownlink returned no bytes' };
    return { ok: { fPort: typeof fPort === 'number' ? fPort : input.fPort, bytes: Uint8Array.from(bytes, (b) => Number(b) & 0xff) } };
  }
}

/**
 * Test hosts for generated codecs in QuickJS (quickjs-emscripten), each
 * calling the codec the way a network server does:
 *
 * - ChirpStack v4 (chirpstack/src/codec/js/mod.rs): a fresh runtime per call;
 *   the codec is the body of an ES module (so strict mode) that imports
 *   `Buffer` from "buffer" and exports `decodeUplink(chirpstack_input)` with
 *   input {bytes, fPort, recvTime (a Date), variables}, or
 *   `encodeDownlink(chirpstack_input)` with {variables, data}. Non-empty
 *   `errors` make the call fail; decode returns `data`, encode `bytes` and
 *   `fPort` (falling back to the command's FPort).
 * - The Things Stack's payload formatter convention: a plain script defining
 *   decodeUplink({bytes, fPort, recvTime}), encodeDownlink({data, fPort}) and
 *   decodeDownlink({bytes, fPort}), whose whole result is used.
 *
 * The "buffer" module here is a stand-in whose Buffer throws: Axon codecs
 * must not need it (The Things Stack has none). Node-only test support.
 */
import { getQuickJS, type QuickJSContext, type QuickJSWASMModule } from 'quickjs-emscripten';

let module: Promise<QuickJSWASMModule> | undefined;
const quickjs = () => (module ??= getQuickJS());

const BUFFER_STAND_IN = 'export var Buffer = function () { throw new Error("an Axon codec must not use Buffer"); };';

function withContext<T>(q: QuickJSWASMModule, use: (vm: QuickJSContext) => T): T {
  const runtime = q.newRuntime();
  runtime.setMemoryLimit(64 * 1024 * 1024);
  runtime.setModuleLoader((name) => (name === 'buffer' ? BUFFER_STAND_IN : { error: new Error(`no module ${name}`) }));
  const vm = runtime.newContext();
  try {
    return use(vm);
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

/** Runs `script` as ChirpStack's module with the global chirpstack_input; the default export, as JSON. */
function runChirpStackModule(vm: QuickJSContext, source: string, call: string, inputJs: string): unknown {
  vm.unwrapResult(vm.evalCode(`globalThis.chirpstack_input = ${inputJs};`)).dispose();
  const script = `import { Buffer } from "buffer";\n\n${source}\n\nexport default ${call}(chirpstack_input);\n`;
  const exports = vm.unwrapResult(vm.evalCode(script, 'main', { type: 'module' }));
  const result = vm.getProp(exports, 'default');
  try {
    return vm.dump(result);
  } finally {
    result.dispose();
    exports.dispose();
  }
}

export type Outcome<T> = { ok: T } | { error: string };

function errorsOf(result: unknown): string[] {
  const errors = (result as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? errors.map(String) : [];
}

export interface ChirpStackV4 {
  /** ChirpStack's codec::js::decode: the `object` of the up event, or the error it logs (UPLINK_CODEC). */
  decode(input: { bytes: Uint8Array | number[]; fPort: number; recvTimeMs: number; variables?: Record<string, string> }): Outcome<Record<string, unknown>>;
  /** ChirpStack's codec::js::encode: what a `{object}` downlink command queues. */
  encode(input: { fPort: number; data: unknown; variables?: Record<string, string> }): Outcome<{ fPort: number; bytes: number[] }>;
}

export async function chirpStackV4(source: string): Promise<ChirpStackV4> {
  const q = await quickjs();
  const attempt = <T>(body: () => T): Outcome<T> => {
    try {
      return { ok: body() };
    } catch (error) {
      return { error: `JS error: ${(error as Error).message ?? String(error)}` };
    }
  };
  return {
    decode: ({ bytes, fPort, recvTimeMs, variables = {} }) => {
      const outcome = attempt(() => withContext(q, (vm) => runChirpStackModule(vm, source, 'decodeUplink', `{ bytes: ${JSON.stringify([...bytes])}, fPort: ${fPort}, recvTime: new Date(${recvTimeMs}), variables: ${JSON.stringify(variables)} }`)));
      if ('error' in outcome) return outcome;
      const errors = errorsOf(outcome.ok);
      if (errors.length > 0) return { error: `decodeUplink returned errors: ${errors.join(', ')}` };
      const data = (outcome.ok as { data?: unknown } | undefined)?.data;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return { error: "decodeUplink did not return 'data'" };
      return { ok: data as Record<string, unknown> };
    },
    encode: ({ fPort, data, variables = {} }) => {
      const outcome = attempt(() => withContext(q, (vm) => runChirpStackModule(vm, source, 'encodeDownlink', `{ variables: ${JSON.stringify(variables)}, data: ${JSON.stringify(data ?? null)} }`)));
      if ('error' in outcome) return outcome;
      const errors = errorsOf(outcome.ok);
      if (errors.length > 0) return { error: `encodeDownlink returned errors: ${errors.join(', ')}` };
      const result = outcome.ok as { bytes?: unknown; fPort?: unknown };
      if (!Array.isArray(result.bytes)) return { error: 'encodeDownlink returned no bytes' };
      // ChirpStack reads the bytes as f64 and casts each to u8.
      return { ok: { fPort: typeof result.fPort === 'number' ? result.fPort : fPort, bytes: result.bytes.map((b) => Number(b) & 0xff) } };
    },
  };
}

export interface TtsFormatter {
  decodeUplink(input: { bytes: Uint8Array | number[]; fPort: number; recvTimeMs: number }): Record<string, unknown>;
  encodeDownlink(input: { data: unknown; fPort?: number }): Record<string, unknown>;
  decodeDownlink(input: { bytes: Uint8Array | number[]; fPort: number }): Record<string, unknown>;
  dispose(): void;
}

/** The codec as a TTS payload formatter script, loaded once into one QuickJS context. */
export async function ttsFormatter(source: string): Promise<TtsFormatter> {
  const q = await quickjs();
  const runtime = q.newRuntime();
  const vm = runtime.newContext();
  vm.unwrapResult(vm.evalCode(source, 'formatter.js')).dispose();
  const call = (js: string): Record<string, unknown> => {
    const handle = vm.unwrapResult(vm.evalCode(js));
    try {
      return vm.dump(handle) as Record<string, unknown>;
    } finally {
      handle.dispose();
    }
  };
  return {
    decodeUplink: ({ bytes, fPort, recvTimeMs }) => call(`decodeUplink({ bytes: ${JSON.stringify([...bytes])}, fPort: ${fPort}, recvTime: new Date(${recvTimeMs}) })`),
    encodeDownlink: ({ data, fPort }) => call(`encodeDownlink({ data: ${JSON.stringify(data ?? null)}${fPort === undefined ? '' : `, fPort: ${fPort}`} })`),
    decodeDownlink: ({ bytes, fPort }) => call(`decodeDownlink({ bytes: ${JSON.stringify([...bytes])}, fPort: ${fPort} })`),
    dispose: () => {
      vm.dispose();
      runtime.dispose();
    },
  };
}

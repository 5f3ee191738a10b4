/**
 * What XS preloading would do to the firmware's modules, emulated for the
 * built-ins it affects. When mcconfig preloads a module, the XS linker runs
 * its body at build time and puts the resulting objects in flash; ordinary
 * objects stay mutable (aliased in RAM on first write), but instances of
 * Map, Set, WeakMap, WeakSet, DataView and the typed arrays become immutable:
 * their mutating methods throw a TypeError on the device ("XS linker
 * warnings", Moddable documentation).
 *
 * Between beginPreload() and endPreload() the harness evaluates main.ts and
 * everything it imports (the modules manifest.json could preload); instances
 * of those built-ins created meanwhile are tracked, and every later call to
 * one of their mutating methods is recorded as a violation (not thrown, so the
 * run goes on and the test can list them all). Not emulated: indexed writes
 * to typed arrays, Date setters, frozen functions and class statics, and the
 * linker's refusal of RegExp and generator instances.
 */
interface Violation {
  /** "WeakMap.prototype.set" */
  method: string;
  /** Where the instance was created and where it was mutated: XS stack lines ("at f (#1:123)"). */
  created: string;
  mutated: string;
}

export const violations: Violation[] = [];
const tracked = new WeakMap<object, string>();
const reported = new WeakMap<object, Set<string>>();
const originals = new Map<string, unknown>();
let runtime = false;

const MUTATORS: Record<string, readonly string[]> = {
  Map: ['clear', 'delete', 'set'],
  Set: ['add', 'clear', 'delete'],
  WeakMap: ['delete', 'set'],
  WeakSet: ['add', 'delete'],
  DataView: ['setInt8', 'setUint8', 'setInt16', 'setUint16', 'setInt32', 'setUint32', 'setFloat32', 'setFloat64', 'setBigInt64', 'setBigUint64'],
};
for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array']) {
  MUTATORS[name] = ['copyWithin', 'fill', 'reverse', 'set', 'sort'];
}

function callerLines(): string {
  const stack = String(new Error('preload').stack ?? '');
  // Drop the Error line and the frames inside this module.
  return stack.split('\n').slice(3, 6).map((line) => line.trim()).join(' / ');
}

type AnyConstructor = new (...args: never[]) => object;

/** A subclass that remembers instances created before endPreload() and reports mutations of them after. */
function tracking(name: string, Base: AnyConstructor): AnyConstructor {
  const Tracking = class extends Base {
    constructor(...args: never[]) {
      super(...args);
      if (!runtime) tracked.set(this, callerLines());
    }
  };
  for (const method of MUTATORS[name]) {
    const original = (Base.prototype as Record<string, unknown>)[method];
    if (typeof original !== 'function') continue;
    Object.defineProperty(Tracking.prototype, method, {
      configurable: true,
      writable: true,
      value(this: object, ...args: unknown[]) {
        const created = tracked.get(this);
        if (runtime && created !== undefined) {
          // The first mutation of each instance and method is enough to name the problem.
          const key = `${name}.prototype.${method}`;
          let seen = reported.get(this);
          if (seen === undefined) reported.set(this, (seen = new Set()));
          if (!seen.has(key)) {
            seen.add(key);
            violations.push({ method: key, created, mutated: callerLines() });
          }
        }
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      },
    });
  }
  return Tracking;
}

const g = globalThis as unknown as Record<string, AnyConstructor>;

/** From here on, built-ins created are "preloaded". Only these instances pay for the tracking. */
export function beginPreload(): void {
  for (const name of Object.keys(MUTATORS)) {
    originals.set(name, g[name]);
    g[name] = tracking(name, g[name]);
  }
}

/** The device is running: the originals are back, and tracked instances report their mutations. */
export function endPreload(): void {
  for (const [name, original] of originals) g[name] = original as AnyConstructor;
  runtime = true;
}

/**
 * XS stand-in for ./core-test.ts: collects tests into a registry that the XS
 * bundle entry runs (see test/xs/). Assertions mirror ava's semantics for the
 * subset in ./assertions.ts.
 */
import type { CoreAssertions, CoreTestBody, ThrowsExpectation } from './assertions.js';

export type { CoreAssertions, CoreTestBody } from './assertions.js';

export interface RegisteredTest {
  file: string;
  title: string;
  body: CoreTestBody;
}

const registry: RegisteredTest[] = [];
let currentFile = '';

export function setCurrentFile(file: string): void {
  currentFile = file;
}

export function registeredTests(): readonly RegisteredTest[] {
  return registry;
}

export function test(title: string, body: CoreTestBody): void {
  registry.push({ file: currentFile, title, body });
}

export class AssertionFailure extends Error {
  override get name(): string {
    return 'AssertionFailure';
  }
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array [${Array.from(value).join(', ')}]`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v));
    return text === undefined ? String(value) : text.length > 400 ? text.slice(0, 400) + '…' : text;
  } catch {
    return String(value);
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function checkThrown(error: unknown, expectation: ThrowsExpectation | undefined, message: string | undefined): void {
  if (expectation === undefined) return;
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  const prefix = message ? `${message}: ` : '';
  if (expectation.name !== undefined && e.name !== expectation.name) {
    throw new AssertionFailure(`${prefix}expected error name ${expectation.name}, got ${describe(e.name)} (${describe(error)})`);
  }
  if (expectation.code !== undefined && e.code !== expectation.code) {
    throw new AssertionFailure(`${prefix}expected error code ${expectation.code}, got ${describe(e.code)} (${describe(error)})`);
  }
  if (expectation.message !== undefined) {
    const text = String(e.message);
    const ok = typeof expectation.message === 'string' ? text === expectation.message : expectation.message.test(text);
    if (!ok) throw new AssertionFailure(`${prefix}error message ${describe(text)} does not match ${String(expectation.message)}`);
  }
}

export function makeAssertions(logs: string[]): CoreAssertions & { assertionCount: number } {
  const t = {
    assertionCount: 0,
    is<T>(actual: T, expected: T, message?: string) {
      t.assertionCount++;
      if (!Object.is(actual, expected)) throw new AssertionFailure(`${message ?? 'is'}: ${describe(actual)} !== ${describe(expected)}`);
    },
    not<T>(actual: T, expected: T, message?: string) {
      t.assertionCount++;
      if (Object.is(actual, expected)) throw new AssertionFailure(`${message ?? 'not'}: both are ${describe(actual)}`);
    },
    deepEqual<T>(actual: T, expected: T, message?: string) {
      t.assertionCount++;
      if (!deepEqual(actual, expected)) throw new AssertionFailure(`${message ?? 'deepEqual'}: ${describe(actual)} differs from ${describe(expected)}`);
    },
    true(actual: boolean, message?: string) {
      t.assertionCount++;
      if (actual !== true) throw new AssertionFailure(`${message ?? 'true'}: got ${describe(actual)}`);
    },
    false(actual: boolean, message?: string) {
      t.assertionCount++;
      if (actual !== false) throw new AssertionFailure(`${message ?? 'false'}: got ${describe(actual)}`);
    },
    truthy(actual: unknown, message?: string) {
      t.assertionCount++;
      if (!actual) throw new AssertionFailure(`${message ?? 'truthy'}: got ${describe(actual)}`);
    },
    falsy(actual: unknown, message?: string) {
      t.assertionCount++;
      if (actual) throw new AssertionFailure(`${message ?? 'falsy'}: got ${describe(actual)}`);
    },
    throws(fn: () => unknown, expectation?: ThrowsExpectation, message?: string): unknown {
      t.assertionCount++;
      try {
        fn();
      } catch (error) {
        checkThrown(error, expectation, message);
        return error;
      }
      throw new AssertionFailure(`${message ?? 'throws'}: function did not throw`);
    },
    async throwsAsync(fn: (() => Promise<unknown>) | Promise<unknown>, expectation?: ThrowsExpectation, message?: string): Promise<unknown> {
      t.assertionCount++;
      try {
        await (typeof fn === 'function' ? fn() : fn);
      } catch (error) {
        checkThrown(error, expectation, message);
        return error;
      }
      throw new AssertionFailure(`${message ?? 'throwsAsync'}: promise did not reject`);
    },
    pass() {
      t.assertionCount++;
    },
    fail(message?: string) {
      throw new AssertionFailure(message ?? 'fail');
    },
    log(...values: unknown[]) {
      logs.push(values.map((v) => (typeof v === 'string' ? v : describe(v))).join(' '));
    },
  };
  return t;
}

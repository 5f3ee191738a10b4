/** The assertion subset shared by ava (Node) and the XS runner. */
export interface ThrowsExpectation {
  name?: string;
  code?: string;
  message?: string | RegExp;
}

export interface CoreAssertions {
  is<T>(actual: T, expected: T, message?: string): void;
  not<T>(actual: T, expected: T, message?: string): void;
  deepEqual<T>(actual: T, expected: T, message?: string): void;
  true(actual: boolean, message?: string): void;
  false(actual: boolean, message?: string): void;
  truthy(actual: unknown, message?: string): void;
  falsy(actual: unknown, message?: string): void;
  throws(fn: () => unknown, expectation?: ThrowsExpectation, message?: string): unknown;
  throwsAsync(fn: (() => Promise<unknown>) | Promise<unknown>, expectation?: ThrowsExpectation, message?: string): Promise<unknown>;
  pass(message?: string): void;
  fail(message?: string): void;
  log(...values: unknown[]): void;
}

export type CoreTestBody = (t: CoreAssertions) => void | Promise<void>;

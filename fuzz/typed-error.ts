import { AxonError } from '../drivers/errors.js';

/** The project's own errors (what, where, how to fix, a stable code) are clean rejections. */
export function isTypedError(error: unknown): boolean {
  return error instanceof AxonError && typeof error.code === 'string' && error.code.length > 0;
}

/** Inside a target: swallow a typed error, let anything else through as a finding. */
export function rethrowUnlessTyped(error: unknown): void {
  if (!isTypedError(error)) throw error;
}

/** Run every call on the same input; typed errors are clean rejections, anything else is thrown on. */
export function tryEach(calls: ReadonlyArray<() => unknown>): void {
  for (const call of calls) {
    try {
      call();
    } catch (error) {
      rethrowUnlessTyped(error);
    }
  }
}

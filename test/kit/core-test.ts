/**
 * The test API of the core's dual-engine tests (`*.core.test.ts`). On Node it is
 * ava; inside XS the bundler swaps in ./core-test.xs.ts, a small runner with the
 * same assertions. Write core tests against `CoreAssertions` only.
 */
import avaTest from 'ava';
import type { CoreAssertions, CoreTestBody } from './assertions.js';

export type { CoreAssertions, CoreTestBody } from './assertions.js';

export function test(title: string, body: CoreTestBody): void {
  avaTest(title, async (t) => {
    await body(t as unknown as CoreAssertions);
  });
}

/**
 * A simulated day of the gateway over the RUI3 driver and the simulated
 * RAK3172, in virtual time (the six-hour version runs on XS too, in
 * rui3.core.test.ts).
 */
import { test } from '../../test/kit/core-test.js';
import { gatewayOverRui3 } from './test-support.js';

test('a simulated day through the gateway over the RUI3 module: every sample reaches the platform once, alerts confirmed, data released by data-acks', async (t) => {
  await gatewayOverRui3(t, 24, 9);
});

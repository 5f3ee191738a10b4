/**
 * The last step of `npm test`: says which Moddable stages (npm run esp32:build,
 * npm run esp32:sim, npm run test:moddable) this machine can run. Without an SDK ($MODDABLE or
 * ../shared/moddable-sdk) it says loudly that they were NOT run, so a green
 * `npm test` is never mistaken for a Moddable check. .ci/run runs them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SHARED_SDK } from './moddable-sdk.js';

const configured = process.env.MODDABLE;
const sdk = configured !== undefined && configured !== '' ? path.resolve(configured) : existsSync(path.join(SHARED_SDK, 'xs')) ? SHARED_SDK : undefined;
const stages = 'npm run esp32:build, npm run esp32:sim -- --hours 24, npm run test:moddable';
if (sdk === undefined) {
  const bar = '!'.repeat(100);
  process.stdout.write(`${bar}\n!! MODDABLE STAGES NOT RUN: ${stages}.\n!! No Moddable SDK here (MODDABLE unset and ${SHARED_SDK} missing): the firmware was NOT built with mcconfig\n!! and neither it nor the core tests ran on Moddable's engine. Install the Moddable SDK and set MODDABLE, then run them (.ci/run does).\n${bar}\n`);
} else {
  process.stdout.write(`moddable: SDK found at ${sdk}; npm test does not run the Moddable stages, run them with: ${stages} (.ci/run does)\n`);
}

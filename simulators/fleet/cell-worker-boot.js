// A worker thread starts from plain JavaScript: register tsx (as sdk/cli/bin/axon.js does), then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./cell-worker.ts');

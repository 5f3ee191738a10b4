#!/usr/bin/env node
// Launcher: the CLI is TypeScript; tsx compiles it on the fly so `npx axon` works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('../axon.ts');

/**
 * Node side of the XS harness (harness.ts): compile a site and board as for
 * the firmware, bundle the harness with the host doubles, load it into a
 * fresh xsnap worker and hand the test a way to send it commands. Shared by
 * main-xs.test.ts (NB-IoT) and main-lorawan-xs.test.ts (LoRaWAN radios).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startXsWorker, type XsWorker } from '../../../test/xs/worker.js';
import { compileSite } from '../compile-site.js';
import { bundleOptions, bundleText } from '../bundle-main.js';
import { hostDoubles } from './doubles-plugin.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export type HarnessCommand = <T>(text: string) => Promise<T>;

/** The harness bundle with the compiled `site` (and `board`, default the DevKitC board) loaded into a fresh XS worker, for `use`. */
export async function withHarness<R>(files: { site: string; board?: string }, use: (command: HarnessCommand, bundle: string) => Promise<R>): Promise<R> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-esp32-'));
  let worker: XsWorker | undefined;
  try {
    const siteConfig = path.join(dir, 'site-config.js');
    writeFileSync(siteConfig, compileSite(files).source);
    const bundled = await build({ ...bundleOptions(), entryPoints: [path.join(here, 'harness.ts')], format: 'iife', plugins: [hostDoubles(siteConfig)] });
    let last: unknown;
    worker = await startXsWorker('esp32-main', (message) => {
      last = JSON.parse(message);
    });
    const command: HarnessCommand = async <T>(text: string): Promise<T> => {
      last = undefined;
      await worker?.command(text);
      const reply = last as (T & { error?: string; stack?: string }) | undefined;
      if (reply === undefined) throw new Error(`XS: '${text.split(' ')[0]}' never answered`);
      if (reply.error !== undefined) throw new Error(`XS: ${reply.error}\n${reply.stack ?? ''}`);
      return reply;
    };
    const bundle = bundleText(bundled.outputFiles);
    await worker.evaluate(bundle);
    return await use(command, bundle);
  } finally {
    await worker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

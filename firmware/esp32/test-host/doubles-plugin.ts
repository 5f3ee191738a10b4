/**
 * esbuild plugin: the Moddable host modules main.ts imports, resolved to the
 * doubles in this directory, and `site-config` to a compiled site. Used by the
 * xsnap test (main-xs.test.ts) and the Moddable lin build (tools/esp32-build.ts),
 * so both engines run the same program. ports/wall-clock.ts is replaced too.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { HOST_MODULES, SITE_CONFIG_MODULE } from '../bundle-main.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const DOUBLES: Record<(typeof HOST_MODULES)[number], string> = {
  'embedded:io/serial': 'serial.ts',
  'embedded:io/digital': 'digital.ts',
  'embedded:io/spi': 'spi.ts',
  crypt: 'crypt.ts',
  timer: 'timer.ts',
  time: 'time.ts',
  preference: 'preference.ts',
  file: 'file.ts',
  'mc/config': 'mc-config.ts',
};

export function hostDoubles(siteConfig: string): Plugin {
  const names: string[] = [...HOST_MODULES, SITE_CONFIG_MODULE];
  return {
    name: 'esp32-host-doubles',
    setup(b) {
      // The wall clock: Date.now cannot be replaced on Moddable (frozen built-ins), so its one caller is.
      b.onResolve({ filter: /(^|\/)wall-clock\.js$/ }, (args) => (args.importer.includes(`${path.sep}test-host${path.sep}`) ? undefined : { path: path.join(here, 'wall-clock.ts') }));
      b.onResolve({ filter: new RegExp(`^(${names.map((n) => n.replace(/[/:]/g, '\\$&')).join('|')})$`) }, (args) => ({
        path: args.path === SITE_CONFIG_MODULE ? siteConfig : path.join(here, DOUBLES[args.path as (typeof HOST_MODULES)[number]]),
      }));
    },
  };
}

/**
 * Bundles firmware/esp32/main.ts and the core it imports into one ES module,
 * `main.js`, for firmware/esp32/manifest.json. The Moddable host modules and
 * the generated `site-config` stay imports, resolved by mcconfig at link time.
 *
 * Why a bundle and not mcconfig's own TypeScript step: mcconfig compiles each
 * listed .ts file with tsc and keeps its import specifiers, but the core is
 * written for Node's ESM resolution ("../ports/clock.js", relative and with
 * .js) while XS resolves modules by manifest name ("timer", "main"). One
 * esbuild bundle sidesteps that, and it is the same bundle (same entry, same
 * options) that main-xs.test.ts runs inside XS, with test doubles standing in
 * for the host modules.
 *
 *   node --import tsx firmware/esp32/bundle-main.ts --out firmware/esp32/build
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type BuildOptions } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MAIN_ENTRY = path.join(here, 'main.ts');

/** The Moddable modules main.ts and the adapters in ports/ import; manifest.json must provide each. */
export const HOST_MODULES = ['embedded:io/serial', 'embedded:io/digital', 'embedded:io/spi', 'timer', 'time', 'preference', 'file', 'mc/config', 'crypt'] as const;
/** The generated module compile-site.ts writes. */
export const SITE_CONFIG_MODULE = 'site-config';

/** What the firmware bundle and the XS test bundle share. */
export function bundleOptions(): BuildOptions {
  return {
    bundle: true,
    write: false,
    platform: 'neutral',
    // XS implements ES2023 and later; ES2022 keeps class fields and private names as written.
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    logLevel: 'silent',
    legalComments: 'none',
  };
}

/** The firmware's main.js: an ES module whose default export Moddable calls after loading it. */
export async function bundleMain(): Promise<string> {
  const result = await build({
    ...bundleOptions(),
    entryPoints: [MAIN_ENTRY],
    format: 'esm',
    external: [...HOST_MODULES, SITE_CONFIG_MODULE],
  });
  return bundleText(result.outputFiles);
}

/** The one output file of a `write: false` build. */
export function bundleText(files: ReadonlyArray<{ text: string }> | undefined): string {
  const file = files?.[0];
  if (file === undefined) throw new Error('esbuild produced no output');
  return file.text;
}

async function cli(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } } });
  if (values.out === undefined) {
    process.stderr.write('Usage: node --import tsx firmware/esp32/bundle-main.ts --out <dir>\n');
    return 2;
  }
  mkdirSync(values.out, { recursive: true });
  const out = path.join(values.out, 'main.js');
  writeFileSync(out, await bundleMain());
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await cli(process.argv.slice(2));

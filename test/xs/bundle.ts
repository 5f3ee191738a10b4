/** esbuild bundling of core code for XS: neutral platform, IIFE, ES2022. */
import { build, type Plugin } from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every `*.core.test.ts` under `dir`, sorted (node_modules and dot folders skipped). */
export function findCoreTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) findCoreTests(full, out);
    else if (name.endsWith('.core.test.ts')) out.push(full);
  }
  return out.sort();
}

/** Swap the ava-backed test kit for the XS runner. */
export const xsTestKit: Plugin = {
  name: 'axon-xs-test-kit',
  setup(b) {
    b.onResolve({ filter: /(^|\/)core-test\.js$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.replace(/core-test\.js$/, 'core-test.xs.ts')),
    }));
  },
};

/** Bundle `entries` (imported in order) into one IIFE script for XS. */
export async function bundleForXs(testFile: string, runtimeEntry?: string): Promise<string> {
  const imports = [path.join(path.dirname(new URL(import.meta.url).pathname), 'xs-prelude.ts'), testFile, runtimeEntry].filter((f): f is string => f !== undefined);
  const result = await build({
    stdin: {
      contents: imports.map((f) => `import ${JSON.stringify(f)};`).join('\n'),
      resolveDir: path.dirname(testFile),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'iife',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['import', 'default'],
    plugins: [xsTestKit],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** Bundle a module and expose its exports as `globalThis[globalName]`. */
export async function bundleModuleForXs(entry: string, globalName: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'iife',
    globalName,
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['import', 'default'],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text + `\nglobalThis.${globalName} = ${globalName};\n`;
}

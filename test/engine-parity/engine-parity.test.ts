/**
 * Non-negotiable 1, checked directly: the same scenario run on Node and
 * inside XS (xsnap, the engine of Moddable on the ESP32) gives identical
 * output. Each scenario in scenarios.ts writes its whole observable output as
 * a transcript; Node imports the module, XS gets the very same module bundled
 * by esbuild, and the two transcripts must match line for line.
 */
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleModuleForXs } from '../xs/bundle.js';
import { startXsWorker } from '../xs/worker.js';
import { SCENARIOS } from './scenarios.js';

const here = path.dirname(fileURLToPath(import.meta.url));

type ScenarioName = keyof typeof SCENARIOS;

/** Run one scenario inside XS; its transcript comes back through issueCommand. */
async function transcriptInXs(name: ScenarioName): Promise<string[]> {
  const bundle = await bundleModuleForXs(path.join(here, 'scenarios.ts'), 'Scenarios');
  let reply: string | undefined;
  const worker = await startXsWorker(`parity-${name}`, (message) => {
    reply = message;
  });
  try {
    await worker.evaluate(bundle);
    // The scenario runs on a virtual clock: its promises all settle within this one crank.
    await worker.evaluate(`
      const send = (text) => { const b = new Uint8Array(text.length); for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i); issueCommand(b.buffer); };
      Scenarios.SCENARIOS[${JSON.stringify(name)}]().then((lines) => send(lines.join('\\n')), (error) => send('ERROR ' + String(error && error.stack || error)));
    `);
  } finally {
    await worker.close();
  }
  if (reply === undefined) throw new Error(`${name} never finished inside XS`);
  if (reply.startsWith('ERROR ')) throw new Error(`${name} failed inside XS: ${reply.slice(6)}`);
  return reply.split('\n');
}

function firstDifference(a: readonly string[], b: readonly string[]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  node: ${a[i] ?? '(none)'}\n  xs:   ${b[i] ?? '(none)'}`;
  }
  return undefined;
}

for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
  test(`${name}: Node and XS produce the same transcript`, async (t) => {
    const node = await SCENARIOS[name]();
    const xs = await transcriptInXs(name);
    t.true(node.length > 100, `a transcript worth comparing (${node.length} lines)`);
    t.is(firstDifference(node, xs), undefined);
    t.is(xs.length, node.length);
    t.log(`${node.length} identical lines (${node.filter((l) => l.includes(' poll ')).length} polls, ${node.filter((l) => l.includes(' alert ')).length} alert events, ${node.filter((l) => l.includes(' uplink ') || l.includes(' air ')).length} uplink messages)`);
  });
}

/**
 * `axon codec` and `axon decode uplink` in-process (each command's own run,
 * as sdk/cli/axon.ts calls it; errors reported as the launcher reports them):
 * The Things Stack's 40 KB payload-formatter limit is a refusal unless
 * --force, the codec carries the site's FPorts, and the CBOR example of
 * docs/cli.md decodes as documented, in the tool and in the codec.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxonError } from '../../drivers/errors.js';
import { parseCommandLine } from './args.js';
import { commandPath } from './command.js';
import type { Command } from './command.js';
import { codec } from './commands/codec.js';
import { decodeUplinkCommand } from './commands/decode-uplink.js';
import { REPO_ROOT } from './test-kit.js';

async function axon(args: string[], command: Command = codec, skip = 1): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { out: (s: string) => void (stdout += s + '\n'), err: (s: string) => void (stderr += s + '\n'), errIsTty: false };
  try {
    const code = await command.run(parseCommandLine(args.slice(skip), command.flags, commandPath(command), command.positionals !== undefined), io);
    return { code, stdout, stderr };
  } catch (error) {
    if (!(error instanceof AxonError)) throw error;
    return { code: 1, stdout, stderr: `${stderr}axon: ${error.message} [${error.code}]\n` };
  }
}

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-codec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A district of `buses` × 200 energy meters: about 2,000 channels per 200 meters. */
function bigSite(dir: string, buses: number): string {
  const site = JSON.parse(readFileSync(path.join(REPO_ROOT, 'manifests/sites/demo.json'), 'utf8')) as Record<string, unknown>;
  site.id = 'district-energy';
  delete site.rules;
  delete site.outputs;
  site.buses = Array.from({ length: buses }, (_, b) => ({
    id: `rs485-${b + 1}`, port: `sim:bus-${b + 1}`, baud: 9600, parity: 'none', stopBits: 1, dataBits: 8,
    devices: Array.from({ length: 200 }, (_, i) => ({ id: `meter-${b + 1}-${String(i + 1).padStart(3, '0')}`, manifest: 'energy-meter-sdm', address: i + 1 })),
  }));
  const file = path.join(dir, 'site.json');
  writeFileSync(file, JSON.stringify(site, null, 2));
  return file;
}

test('codec: over TTS\'s 40 KB limit is an error and writes nothing; --force writes it with a warning', async (t) => {
  const dir = tempDir(t);
  const site = bigSite(dir, 2);
  const out = path.join(dir, 'codec.js');
  const refused = await axon(['codec', '--site', site, '--out', out]);
  t.is(refused.code, 1, refused.stderr);
  t.regex(refused.stderr, /codec for site district-energy is \d+ bytes, over The Things Stack's 40 KB \(40960 byte\) payload formatter limit; nothing was written.*\[CODEC_TOO_LARGE\]/s);
  t.regex(refused.stderr, /--force/);
  t.false(existsSync(out));
  const forced = await axon(['codec', '--site', site, '--out', out, '--force']);
  t.is(forced.code, 0, forced.stderr);
  t.true(readFileSync(out, 'utf8').length > 40 * 1024);
  t.regex(forced.stderr, /warning: --force: the codec is over The Things Stack's 40 KB formatter limit/);
});

test('codec: the demo site\'s codec is under the limit and carries its FPorts', async (t) => {
  const r = await axon(['codec', '--site', path.join(REPO_ROOT, 'manifests/sites/demo.json')]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /var AXON_PORTS = \{"data":10,"alert":11,"downlink":10\};/);
  t.true(r.stdout.length < 40 * 1024, `${r.stdout.length} bytes`);
});

test('decode uplink: the docs/cli.md CBOR status example prints what the docs say, and the demo codec decodes the same bytes to the same data', async (t) => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/cli.md'), 'utf8');
  const example = /\$ npx axon decode uplink ([0-9a-f]+) --site manifests\/sites\/demo\.json --compact\n(\{"type":"status".*\})\n/.exec(doc);
  if (example === null) return t.fail('the CBOR example is not in docs/cli.md');
  const [, hex, printed] = example;
  t.is(hex.slice(0, 2), 'a6', 'a CBOR map');
  const r = await axon(['decode', 'uplink', hex, '--site', path.join(REPO_ROOT, 'manifests/sites/demo.json'), '--compact'], decodeUplinkCommand, 2);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), printed);
  const source = (await axon(['codec', '--site', path.join(REPO_ROOT, 'manifests/sites/demo.json')])).stdout;
  const decode = new Function(`${source}\nreturn decodeUplink;`)() as (input: { bytes: number[]; fPort: number }) => unknown;
  t.deepEqual(decode({ bytes: [...Buffer.from(hex, 'hex')], fPort: 10 }), { data: JSON.parse(printed) });
});

import test from 'ava';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SITE } from './demo/demo-site.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'firmware/rpi/start.ts', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('npm start runs the gateway on the simulated site over real ptys and polls every device', async (t) => {
  const { code, stdout, stderr } = await run(['--duration', '7', '--plain', '--speed', '120'], 40_000);
  t.is(code, 0, stderr);
  for (const bus of DEMO_SITE.buses) {
    for (const device of bus.devices) {
      const line = stdout.split('\n').find((l) => l.includes(` ${device.label} (`));
      t.truthy(line, `${device.label} was polled`);
      t.false(line?.includes('ERR') ?? true, `${device.label} read without errors: ${line}`);
    }
  }
  t.regex(stdout, /stopped after \d+ polls of 9 devices; 0 point readings failed\./);
});

test('npm start --help explains the options; a bad option is refused', async (t) => {
  const help = await run(['--help'], 20_000);
  t.is(help.code, 0);
  t.regex(help.stdout, /--speed/);
  t.regex(help.stdout, /--duration/);
  const bad = await run(['--speed', 'fast'], 20_000);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--speed must be a positive number/);
});

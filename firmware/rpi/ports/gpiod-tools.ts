/**
 * GpioChipAccess through libgpiod's command-line tools (Debian package
 * `gpiod`): no native addon, any Node, any Pi OS since bullseye.
 *   - an output is one `gpioset` process holding the line at its value
 *     (libgpiod 1.x: `--mode=signal`; 2.x holds it by default) until it is
 *     signalled; a change ends it and starts the next with the new value. In
 *     between the line is released for a few milliseconds; the Pi's GPIO
 *     block keeps driving the last level, so the load does not drop.
 *   - an input is read once with `gpioget`, then watched with `gpiomon` (both
 *     edges, one line per event).
 * The tools' major version is asked once (`gpioset --version`) because 2.x
 * changed the arguments (`--chip`, `--bias`, `--consumer`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { AxonError } from '../../../drivers/errors.js';
import type { GpioBias, GpioChipAccess, GpioInputRequest, GpioLineAddress, GpioOutputRequest } from './gpio-chip.js';

export interface GpiodToolsOptions {
  /** Directory of gpioset/gpioget/gpiomon; default: found on PATH. */
  toolsDir?: string;
  /** A request failed or its process ended unasked (the line is then not driven by us). */
  onError?: (line: GpioLineAddress, error: AxonError) => void;
}

export class GpiodToolsAccess implements GpioChipAccess {
  readonly #options: GpiodToolsOptions;
  #major: 1 | 2 | undefined;

  constructor(options: GpiodToolsOptions = {}) {
    this.#options = options;
  }

  /** libgpiod's major version, from `gpioset --version` ("gpioset (libgpiod) v1.6.3"). */
  get major(): 1 | 2 {
    if (this.#major === undefined) {
      let text: string;
      try {
        text = execFileSync(this.#tool('gpioset'), ['--version'], { encoding: 'utf8' });
      } catch (error) {
        throw new AxonError('GPIO_TOOLS_MISSING', `cannot run gpioset: ${(error as Error).message}`, {
          fix: 'install libgpiod\'s tools: `sudo apt-get install gpiod` (or use "gpio" numbers for sysfs where the kernel still has it)',
          cause: error,
        });
      }
      this.#major = /v2\./.test(text) ? 2 : 1;
    }
    return this.#major;
  }

  requestOutput(line: GpioLineAddress, initial: 0 | 1): GpioOutputRequest {
    let child = this.#hold(line, initial);
    let wanted: 0 | 1 = initial;
    let changing: Promise<void> = Promise.resolve();
    let released = false;
    return {
      set: (value) => {
        wanted = value;
        changing = changing.then(async () => {
          if (released || child.value === wanted) return;
          await child.stop();
          if (!released) child = this.#hold(line, wanted);
        });
      },
      release: () => {
        released = true;
        void changing.then(() => child.stop());
      },
    };
  }

  requestInput(line: GpioLineAddress, bias: GpioBias, onValue: (value: 0 | 1) => void, onError: (error: Error) => void): GpioInputRequest {
    const v2 = this.major === 2;
    const common = [...(line.activeLow ? ['--active-low'] : []), ...(bias === 'as-is' ? [] : [`--bias=${bias}`])];
    let text: string;
    try {
      text = execFileSync(this.#tool('gpioget'), v2 ? [...common, '--numeric', '--chip', line.chip, String(line.offset)] : [...common, line.chip, String(line.offset)], { encoding: 'utf8' });
    } catch (error) {
      throw this.#failure(line, 'read', error);
    }
    onValue(text.trim().endsWith('1') ? 1 : 0);
    // 1.x: %e is 1 for a rising edge, 0 for a falling one; 2.x: 1 rising, 2 falling.
    const args = v2 ? [...common, '--consumer', line.consumer, '--format=%e', '--chip', line.chip, String(line.offset)] : [...common, '--line-buffered', '--format=%e', line.chip, String(line.offset)];
    const child = spawn(this.#tool('gpiomon'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stopping = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const event of lines) if (event.trim() !== '') onValue(event.trim() === '1' ? 1 : 0);
    });
    child.once('exit', (code, signal) => {
      if (!stopping) onError(this.#failure(line, 'watch', new Error(`gpiomon ended (${signal ?? `exit ${code}`}): ${stderr.trim()}`)));
    });
    child.once('error', (error) => onError(this.#failure(line, 'watch', error)));
    return {
      release: () => {
        stopping = true;
        child.kill('SIGTERM');
      },
    };
  }

  #hold(line: GpioLineAddress, value: 0 | 1): { value: 0 | 1; stop(): Promise<void> } {
    const assignment = `${line.offset}=${value}`;
    const args = this.major === 2
      ? [...(line.activeLow ? ['--active-low'] : []), '--consumer', line.consumer, '--chip', line.chip, assignment]
      : ['--mode=signal', ...(line.activeLow ? ['--active-low'] : []), line.chip, assignment];
    const child: ChildProcess = spawn(this.#tool('gpioset'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let stopping = false;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (!stopping) this.#options.onError?.(line, this.#failure(line, `hold at ${value}`, new Error(`gpioset ended (${signal ?? `exit ${code}`}): ${stderr.trim()}`)));
        resolve();
      });
      child.once('error', (error) => {
        this.#options.onError?.(line, this.#failure(line, `hold at ${value}`, error));
        resolve();
      });
    });
    return {
      value,
      stop: async () => {
        stopping = true;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  }

  #tool(name: string): string {
    return this.#options.toolsDir === undefined ? name : path.join(this.#options.toolsDir, name);
  }

  #failure(line: GpioLineAddress, what: string, error: unknown): AxonError {
    const text = (error as Error).message;
    const fix = /busy/i.test(text)
      ? 'another program or driver holds this line (`gpioinfo` shows its user): free it or pick another line'
      : /permission|EACCES/i.test(text)
        ? 'add the gateway user to the gpio group (`sudo usermod -aG gpio $USER`) and log in again'
        : /ENOENT|not found|No such file/i.test(text)
          ? 'check the chip name (`gpiodetect` lists them; the Pi 5 header is on the chip labelled pinctrl-rp1) and that the gpiod package is installed'
          : 'check the chip and line with `gpioinfo`';
    return new AxonError('GPIO_REQUEST', `cannot ${what} ${line.chip} line ${line.offset}: ${text}`, { where: `${line.chip} line ${line.offset}`, fix, cause: error });
  }
}

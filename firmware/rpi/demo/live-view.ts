/**
 * Live view of the gateway: on a terminal a table redrawn in place; elsewhere
 * (CI logs, pipes) one line per poll. No dependencies: ANSI escapes only.
 */
import type { PointReading } from '../../../drivers/devices/reading.js';
import type { PollResult } from './bus-poller.js';

interface Row {
  result: PollResult;
}

const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export function formatReading(reading: PointReading, unit: string | undefined): string {
  if (!reading.ok) return `ERR ${reading.error.code ?? reading.error.name}`;
  const value = typeof reading.value === 'boolean' ? (reading.value ? 'ON' : 'off') : formatNumber(reading.value);
  const shown = unit ?? reading.unit;
  return shown ? `${value} ${shown}` : value;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

export function formatSimTime(minutes: number): string {
  const total = Math.floor(minutes);
  return `day ${Math.floor(total / 1440) + 1} ${String(Math.floor((total % 1440) / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

export class LiveView {
  readonly #rows = new Map<string, Row>();
  readonly #order: string[] = [];
  #polls = 0;
  #failedPoints = 0;

  constructor(
    private readonly options: {
      title: string;
      tty: boolean;
      write: (text: string) => void;
      simMinutes: () => number;
      busStats: () => string[];
    },
  ) {}

  get polls(): number {
    return this.#polls;
  }

  get failedPoints(): number {
    return this.#failedPoints;
  }

  /** Devices polled at least once, by label. */
  get devicesSeen(): string[] {
    return [...this.#order];
  }

  update(result: PollResult): void {
    const key = result.device.label;
    if (!this.#rows.has(key)) this.#order.push(key);
    this.#rows.set(key, { result });
    this.#polls++;
    const failed = Object.values(result.readings).filter((r) => !r.ok).length;
    this.#failedPoints += failed;
    if (!this.options.tty) {
      const values = this.#pointTexts(result).join(', ');
      this.options.write(`[${formatSimTime(this.options.simMinutes())}] ${result.bus} ${key} (${result.device.address}): ${values}\n`);
    }
  }

  render(): void {
    if (!this.options.tty) return;
    const lines: string[] = [];
    lines.push(`${BOLD}${this.options.title}${RESET}   simulated ${formatSimTime(this.options.simMinutes())}   polls ${this.#polls}   ${DIM}Ctrl-C to stop${RESET}`);
    lines.push('');
    for (const stats of this.options.busStats()) lines.push(`  ${stats}`);
    lines.push('');
    lines.push(`  ${'device'.padEnd(24)} ${'addr'.padEnd(14)} readings`);
    for (const key of this.#order) {
      const row = this.#rows.get(key) as Row;
      lines.push(`  ${key.padEnd(24)} ${String(row.result.device.address).padEnd(14)} ${this.#pointTexts(row.result, true).join('  ')}`);
    }
    this.options.write('\x1b[H\x1b[2J' + lines.join('\n') + '\n');
  }

  #pointTexts(result: PollResult, color = false): string[] {
    return result.device.manifest.points
      .filter((p) => result.readings[p.id] !== undefined)
      .map((p) => {
        const reading = result.readings[p.id];
        const text = `${p.id}=${formatReading(reading, p.unit)}`;
        if (!color) return text;
        const alarm = reading.ok && p.role === 'alarm' && reading.value === true;
        return !reading.ok || alarm ? `${RED}${text}${RESET}` : `${GREEN}${text}${RESET}`;
      });
  }
}

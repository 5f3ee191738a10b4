/**
 * The Pi gateway's log: pino JSON lines, one per thing worth reading, each with
 * `level` ("info", "warn", …), `time` (ISO 8601) and `event` (what kind of
 * thing: start, bus, uplink, poll-failed, alert, sent, downlink, report, stop,
 * error), the human sentence in `msg` and the details as fields. journald,
 * Loki, Vector or `jq` read the JSON; on a terminal pino-pretty turns the same
 * records into coloured lines. Writing is synchronous through the CLI's
 * output, so nothing is lost at exit and tests read what a user reads.
 *
 * Off the hot path: callers ask `enabled(level)` before building a record
 * that costs anything, and the gateway's successful polls log nothing.
 */
import { pino, type Level, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** What each record's `event` field says. */
export type LogEvent =
  | 'start'
  | 'bus'
  | 'output'
  | 'uplink'
  | 'poll-failed'
  | 'alert'
  | 'acknowledge'
  | 'sent'
  | 'uplink-failed'
  | 'downlink'
  | 'notice'
  | 'report'
  | 'status-page'
  | 'data-dir'
  | 'stop'
  | 'error';

export type LogFields = Record<string, unknown>;

export interface HostLog {
  readonly level: LogLevel;
  enabled(level: Level): boolean;
  debug(event: LogEvent, msg: string, fields?: LogFields): void;
  info(event: LogEvent, msg: string, fields?: LogFields): void;
  warn(event: LogEvent, msg: string, fields?: LogFields): void;
  error(event: LogEvent, msg: string, fields?: LogFields): void;
  /** A plain `(line) => void` for code that logs sentences only, under one event and level. */
  lines(event: LogEvent, level?: 'info' | 'warn'): (line: string) => void;
}

export interface HostLogOptions {
  level?: LogLevel;
  /** Human-readable coloured lines instead of JSON (the CLI passes stdout.isTTY). */
  pretty?: boolean;
  /** Where each finished line goes (the CLI's stdout). */
  write(line: string): void;
  /** Fields on every record (the gateway id). */
  base?: LogFields;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** pino-pretty is loaded only for a terminal: under systemd the gateway never loads it. */
async function prettifier(): Promise<(record: string) => string> {
  const { prettyFactory } = await import('pino-pretty');
  // The sentence says it all on a terminal; the fields stay in the JSON for machines.
  return prettyFactory({ colorize: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', messageFormat: '{event}: {msg}', hideObject: true, singleLine: true });
}

export async function createHostLog(options: HostLogOptions): Promise<HostLog> {
  const level = options.level ?? DEFAULT_LOG_LEVEL;
  const pretty = options.pretty === true ? await prettifier() : undefined;
  const destination = {
    write(record: string): void {
      options.write((pretty === undefined ? record : pretty(record)).trimEnd());
    },
  };
  const logger: Logger = pino(
    {
      level,
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: `"level":"warn"` reads (and greps) better than 40.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => (event: LogEvent, msg: string, fields?: LogFields) => {
    if (logger.isLevelEnabled(lvl)) logger[lvl](fields === undefined ? { event } : { event, ...fields }, msg);
  };
  const log: HostLog = {
    level,
    enabled: (lvl) => logger.isLevelEnabled(lvl),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    lines: (event, lvl = 'info') => (line) => log[lvl](event, line),
  };
  return log;
}

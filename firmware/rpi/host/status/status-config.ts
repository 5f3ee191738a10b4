/**
 * The host config's `status` key: where the status page listens and the token
 * it asks for. On by default at 127.0.0.1:8080, reachable from the Pi itself
 * (or through `ssh -L 8080:127.0.0.1:8080 pi`); any other address needs a
 * token, because the page can acknowledge alarms. `"status": false` turns it
 * off. check and run refuse the same configs (preflight.ts calls statusProblems).
 */
import { isIP } from 'node:net';
import type { HostConfig, HostProblem } from '../host-config.js';

export const DEFAULT_STATUS_LISTEN = '127.0.0.1:8080';

export interface StatusListen {
  host: string;
  port: number;
}

export interface StatusSettings {
  listen: StatusListen;
  token?: string;
}

/** "127.0.0.1:8080", "0.0.0.0:8080", "[::1]:8080", "localhost:8080"; port 0 picks a free one. */
export function parseListen(text: string): StatusListen | { problem: string } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) return { problem: `"${text}" is not host:port` };
  const host = match[1] ?? match[2];
  const port = Number(match[3]);
  if (port > 65535) return { problem: `port ${port} is above 65535` };
  if (match[1] !== undefined && isIP(host) !== 6) return { problem: `[${host}] is not an IPv6 address` };
  return { host, port };
}

/** Only this machine can connect: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The status page settings of a config that passed statusProblems, or undefined when it is turned off. */
export function statusSettings(config: HostConfig): StatusSettings | undefined {
  if (config.status === false) return undefined;
  const listen = parseListen(config.status?.listen ?? DEFAULT_STATUS_LISTEN);
  if ('problem' in listen) throw new Error(listen.problem); // preflight refused it already
  const token = config.status?.token;
  return token === undefined ? { listen } : { listen, token };
}

export function statusProblems(config: HostConfig, file: string): HostProblem[] {
  if (config.status === false || config.status === undefined) return [];
  const problems: HostProblem[] = [];
  const listenText = config.status.listen ?? DEFAULT_STATUS_LISTEN;
  const listen = parseListen(listenText);
  if ('problem' in listen) {
    problems.push({ file, path: '$.status.listen', message: `status page address ${listen.problem}`, fix: `write host:port, e.g. "${DEFAULT_STATUS_LISTEN}" (this Pi only), "0.0.0.0:8080" with a token (every network), or "[::1]:8080"` });
    return problems;
  }
  if (!isLoopback(listen.host) && config.status.token === undefined) {
    problems.push({
      file,
      path: '$.status',
      message: `the status page would listen on ${listenText}, reachable from other machines, without a token (it can acknowledge alarms)`,
      fix: 'add "token": "<secret>" (e.g. `openssl rand -hex 16`) and keep the host config mode 0600, or listen on 127.0.0.1 and reach it with `ssh -L 8080:127.0.0.1:8080 <pi>`',
    });
  }
  return problems;
}

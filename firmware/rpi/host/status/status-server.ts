/**
 * The gateway's local HTTP server (node:http, no framework):
 *
 *   GET  /                                 the status page (status-page.ts)
 *   GET  /api/status                       the status as JSON (status-types.ts)
 *   GET  /metrics                          Prometheus text format (metrics.ts)
 *   POST /api/alarms/<rule>/acknowledge    acknowledge an active alarm, as the acknowledge downlink does
 *
 * With a token every request needs `Authorization: Bearer <token>` or
 * `?token=<token>`, the acknowledge POST included (status-config.ts requires a
 * token off loopback). The POST must be JSON: a browser cannot send that
 * across origins without asking first, so a web page the engineer happens to
 * have open cannot acknowledge alarms through a loopback-only gateway.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostLog } from '../host-log.js';
import { METRICS_CONTENT_TYPE, processFigures, renderMetrics } from './metrics.js';
import type { StatusSettings } from './status-config.js';
import type { StatusModel } from './status-model.js';
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './status-page.js';

export interface StatusServer {
  /** http://host:port/ as bound (the real port when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

const ACK_PATH = /^\/api\/alarms\/([^/]+)\/acknowledge$/;
const MAX_BODY_BYTES = 1024;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compared as digests in constant time: the answer time says nothing about the token. */
function tokenMatches(given: string | undefined, expected: Buffer): boolean {
  return given !== undefined && timingSafeEqual(digest(given), expected);
}

function presentedToken(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization;
  const bearer = header === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  return bearer ?? url.searchParams.get('token') ?? undefined;
}

function send(response: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', ...extra });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        request.destroy();
      }
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function parseLevel(body: string): 'warning' | 'critical' | undefined | Error {
  if (body.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return new Error('the body is not JSON');
  }
  const level = (json as { level?: unknown } | null)?.level;
  if (level === undefined || level === null) return undefined;
  if (level === 'warning' || level === 'critical') return level;
  return new Error(`level must be "warning" or "critical", not ${JSON.stringify(level)}`);
}

export async function startStatusServer(settings: StatusSettings, model: StatusModel, log: HostLog): Promise<StatusServer> {
  const expected = settings.token === undefined ? undefined : digest(settings.token);

  async function acknowledge(request: IncomingMessage, response: ServerResponse, rule: string): Promise<void> {
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return sendJson(response, 415, { error: 'send the acknowledge as Content-Type: application/json (an empty body or {"level": "critical"})' });
    }
    const level = parseLevel(await readBody(request));
    if (level instanceof Error) return sendJson(response, 400, { error: level.message });
    if (!model.isActive(rule)) return sendJson(response, 404, { error: `no active alarm for rule ${rule}` });
    const acknowledged = model.acknowledge(rule, level);
    log.info('acknowledge', `alarm ${rule}${level === undefined ? '' : ` (${level})`} acknowledged on the status page by ${request.socket.remoteAddress ?? '?'}: ${acknowledged} level(s) newly acknowledged`, { rule, alarmLevel: level, acknowledged, remote: request.socket.remoteAddress });
    sendJson(response, 200, { rule, acknowledged, alarms: model.snapshot().alarms.filter((a) => a.rule === rule) });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://status.invalid');
    if (expected !== undefined && !tokenMatches(presentedToken(request, url), expected)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="axon-gateway"');
      return sendJson(response, 401, { error: 'this status page needs its token: Authorization: Bearer <token>, or ?token=<token> in the address' });
    }
    const ack = ACK_PATH.exec(url.pathname);
    if (ack !== null) {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'POST to acknowledge' });
      return acknowledge(request, response, decodeURIComponent(ack[1]));
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { error: `${request.method ?? '?'} is not served here` });
    switch (url.pathname) {
      case '/':
        return send(response, 200, 'text/html; charset=utf-8', STATUS_PAGE_HTML, { 'Content-Security-Policy': STATUS_PAGE_CSP, 'X-Frame-Options': 'DENY' });
      case '/api/status':
        return sendJson(response, 200, model.snapshot());
      case '/metrics':
        return send(response, 200, METRICS_CONTENT_TYPE, renderMetrics(model.snapshot(), processFigures()));
      default:
        return sendJson(response, 404, { error: `nothing at ${url.pathname}: try /, /api/status or /metrics` });
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error('status-page', `status page request ${request.method ?? '?'} ${request.url?.split('?')[0] ?? ''} failed: ${(error as Error).message}`);
      if (!response.headersSent) sendJson(response, 500, { error: (error as Error).message });
      else response.destroy();
    });
  });
  // A browser's keep-alive connection must not hold the gateway's stop up.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.listen.port, settings.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

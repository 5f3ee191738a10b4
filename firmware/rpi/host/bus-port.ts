/**
 * Where a bus is on this Pi: the host config's port for it, else the site
 * file's, and what kind of link that text names. One parser for `gateway
 * check` (preflight.ts) and `gateway run` (gateway-host.ts), so the two cannot
 * disagree about what a valid port is.
 */
import { AxonError } from '../../../drivers/errors.js';
import type { BusConfig } from '../../../drivers/gateway/site.js';
import type { HostConfig } from './host-config.js';

export type BusLink =
  | { kind: 'serial'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'sim'; name: string };

/** Transparent serial-to-Ethernet converters listen here when the URL names no port (Modbus TCP's port). */
export const DEFAULT_TCP_PORT = 502;

/** The port text for `bus` and whether it came from the host config (else the site file). */
export function busPortOf(bus: BusConfig, config: HostConfig): { port: string; fromConfig: boolean } {
  const configured = config.buses?.[bus.id]?.port;
  return configured === undefined ? { port: bus.port, fromConfig: false } : { port: configured, fromConfig: true };
}

/** Parse a bus port: a serial device path, `tcp://host[:port]` or `sim:<name>`. Throws HOST_BAD_PORT naming `busId`. */
export function parseBusPort(port: string, busId: string): BusLink {
  if (port.startsWith('sim:')) return { kind: 'sim', name: port.slice(4) };
  if (!port.startsWith('tcp://')) return { kind: 'serial', path: port };
  // Host: a name or IPv4 address, or an IPv6 address in brackets; then an optional :port.
  const match = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/[\]]+)(?::([^/]*))?\/?$/.exec(port);
  const portText = match?.[2];
  const number = portText === undefined ? DEFAULT_TCP_PORT : /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (match === null || !(number >= 1 && number <= 65535)) {
    const why = match === null ? 'is not tcp://host:port' : `has no valid TCP port (${JSON.stringify(portText)}: a port is a number from 1 to 65535)`;
    throw new AxonError('HOST_BAD_PORT', `bus ${busId}: ${port} ${why}`, {
      where: `bus ${busId}`,
      fix: "write tcp://192.168.1.50:4196 (the converter's address and TCP port)",
    });
  }
  return { kind: 'tcp', host: match[1].replace(/^\[|\]$/g, ''), port: number };
}

/**
 * Turn a command's --port into a ByteStream, and a ByteStream into the right
 * Modbus master. `tcp://host:port` is Modbus TCP (or a serial-to-Ethernet
 * converter in TCP mode); anything else is a serial device path.
 */
import { ModbusRtuMaster, ModbusTcpMaster, type ModbusMaster } from '../../drivers/modbus/index.js';
import type { ByteStream, Parity } from '../../drivers/ports/byte-stream.js';
import { NodeClock } from '../../firmware/rpi/ports/node-clock.js';
import { openSerialStream } from '../../firmware/rpi/ports/serial-stream.js';
import { connectTcpStream } from '../../firmware/rpi/ports/tcp-stream.js';
import { UsageError, type FlagSpecs, type Flags } from './args.js';

export type PortSpec = { kind: 'tcp'; host: string; port: number; text: string } | { kind: 'serial'; path: string; text: string };

export const MODBUS_TCP_PORT = 502;

/** Parse --port: "tcp://host[:port]" or a device path. */
export function parsePortSpec(text: string, command: string): PortSpec {
  if (!/^tcp:\/\//i.test(text)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
      throw new UsageError(`--port "${text}": only tcp://host:port URLs are supported; give serial ports as a path such as /dev/ttyUSB0`, command);
    }
    return { kind: 'serial', path: text, text };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--port "${text}" is not a valid tcp://host:port address`, command);
  }
  const port = url.port === '' ? MODBUS_TCP_PORT : Number(url.port);
  // URL keeps the brackets of an IPv6 literal; net.connect wants the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port "${text}" needs a host and a port 1–65535, e.g. tcp://192.168.1.50:502`, command);
  }
  return { kind: 'tcp', host, port, text };
}

export interface SerialLine {
  baud: number;
  parity: Parity;
  stopBits: 1 | 2;
}

export const PARITIES = ['none', 'even', 'odd'] as const;

/** --baud/--parity/--stop with the defaults of a protocol (Modbus 9600 8N1, DL/T 645 2400 8E1). */
export function serialLineFlags(defaults: SerialLine): FlagSpecs {
  return {
    baud: { type: 'string', value: '<n>', description: 'serial baud rate', default: String(defaults.baud) },
    parity: { type: 'string', value: '<none|even|odd>', description: 'serial parity', default: defaults.parity },
    stop: { type: 'string', value: '<1|2>', description: 'serial stop bits', default: String(defaults.stopBits) },
  };
}

export function readSerialLine(flags: Flags, defaults: SerialLine): SerialLine {
  return {
    baud: flags.int('baud', { min: 50, max: 4_000_000, default: defaults.baud }),
    parity: flags.oneOf('parity', PARITIES, defaults.parity),
    stopBits: readStopBits(flags, defaults.stopBits),
  };
}

export function readStopBits(flags: Flags, fallback: 1 | 2): 1 | 2 {
  return flags.oneOf('stop', ['1', '2'], fallback === 1 ? '1' : '2') === '1' ? 1 : 2;
}

/** "9600 8N1" */
export function lineText(line: SerialLine): string {
  return `${line.baud} 8${line.parity[0].toUpperCase()}${line.stopBits}`;
}

export interface OpenedLink {
  spec: PortSpec;
  stream: ByteStream;
  /** Close the stream and wait until the OS let go of it, so the process can exit. */
  close(): Promise<void>;
}

export async function openLink(spec: PortSpec, line: SerialLine): Promise<OpenedLink> {
  if (spec.kind === 'tcp') {
    const stream = await connectTcpStream({ host: spec.host, port: spec.port });
    return {
      spec,
      stream,
      close: async () => stream.close(),
    };
  }
  const stream = await openSerialStream({ path: spec.path, baud: line.baud, parity: line.parity, stopBits: line.stopBits });
  return {
    spec,
    stream,
    async close() {
      stream.close();
      await stream.whenClosed();
    },
  };
}

export interface ModbusLinkOptions {
  timeoutMs: number;
  retries: number;
  /** Keep listening this long after a silent timeout to tell "late" from "dead" (default: the master's 500 ms). */
  lateReplyWindowMs?: number;
}

export interface OpenedModbus {
  master: ModbusMaster;
  link: OpenedLink;
  close(): Promise<void>;
}

/**
 * Node delivers serial bytes in chunks with scheduling jitter of several ms, so a
 * gap of t3.5 (4 ms at 9600) inside one reply is normal here; 20 ms keeps a
 * reply in one piece without making CRC errors slow to report.
 */
export const NODE_MIN_FRAME_GAP_MS = 20;

export function modbusOnLink(link: OpenedLink, options: ModbusLinkOptions): OpenedModbus {
  const clock = new NodeClock();
  const common = { stream: link.stream, clock, timeoutMs: options.timeoutMs, retries: options.retries, name: link.spec.text };
  const late = options.lateReplyWindowMs === undefined ? {} : { lateReplyWindowMs: options.lateReplyWindowMs };
  const master: ModbusMaster =
    link.spec.kind === 'tcp'
      ? new ModbusTcpMaster({ ...common, ...late })
      : new ModbusRtuMaster({ ...common, ...late, minFrameGapMs: NODE_MIN_FRAME_GAP_MS });
  return {
    master,
    link,
    async close() {
      master.close(); // also closes the stream; closing the link again is harmless and waits for the OS
      clock.cancelAll();
      await link.close();
    },
  };
}

export async function openModbus(spec: PortSpec, line: SerialLine, options: ModbusLinkOptions): Promise<OpenedModbus> {
  return modbusOnLink(await openLink(spec, line), options);
}


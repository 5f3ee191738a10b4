/**
 * A full-duplex byte stream: a UART on RS-485, a TCP socket, a modem link, or an
 * in-memory pipe in tests. Shaped after ECMA-419 `embedded:io/serial`: the owner
 * sets `onReadable`, calls `write()`, and ends with an explicit `close()`.
 *
 * One difference from ECMA-419, on purpose: `onReadable` receives the bytes
 * themselves rather than a count to `read()`, because every host we target
 * (serialport's 'data' event, XS serial `read()`, net.Socket) already holds the
 * chunk; handing it over avoids a second buffer in the core.
 */
export interface ByteStream {
  /** Queue bytes for transmission. Never blocks; hosts buffer. */
  write(bytes: Uint8Array): void;
  /** Called with every chunk received, in order. Set by the stream's single owner. */
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  /** Called once when the link fails (unplugged adapter, socket reset). */
  onError: ((error: Error) => void) | undefined;
  /** Line settings when the stream is a UART; absent for TCP and in-memory links. */
  readonly line?: SerialLineSettings;
  close(): void;
}

export type Parity = 'none' | 'even' | 'odd';

export interface SerialLineSettings {
  baud: number;
  dataBits: 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
}

/** Bits on the wire per character: start + data + parity + stop. */
export function bitsPerCharacter(line: SerialLineSettings): number {
  return 1 + line.dataBits + (line.parity === 'none' ? 0 : 1) + line.stopBits;
}

/** Milliseconds one character occupies on the wire. */
export function characterTimeMs(line: SerialLineSettings): number {
  return (bitsPerCharacter(line) * 1000) / line.baud;
}

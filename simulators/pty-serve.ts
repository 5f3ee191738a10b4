/**
 * Serving a simulator on a fresh pty pair: the user's program (or a test)
 * opens `endpoint`, the simulator sits on the other end. One place owns the
 * order of teardown, which every runner needs right: stop the simulator, then
 * release its serial port, then stop socat; and a runner whose start fails
 * must not leave socat and its links behind.
 */
import { openSerialStream, type SerialStream, type SerialStreamOptions } from '../firmware/rpi/ports/serial-stream.js';
import { createPtyPair, type PtyPair } from './pty.js';

/** Something running that can be stopped. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Run `start` against a fresh pty pair (its gateway-side end symlinked at
 * `link`, or a temp path). The result's `close` stops what `start` returned,
 * then the pty; a throwing `start` closes the pty before the error goes on.
 */
export async function serveOnPty<T extends Closable>(link: string | undefined, start: (pty: PtyPair) => Promise<T>): Promise<T & { endpoint: string }> {
  const pty = await createPtyPair({ linkA: link });
  try {
    const running = await start(pty);
    return {
      ...running,
      endpoint: pty.pathA,
      async close() {
        await running.close();
        await pty.close();
      },
    };
  } catch (error) {
    await pty.close();
    throw error;
  }
}

/**
 * serveOnPty for a simulator that takes a serial stream: `start` gets the
 * simulator's end opened with `line` through serialport's real bindings.
 * Closing stops the simulator, then closes that stream and waits until the
 * port is released, then the pty.
 */
export function serveStreamOnPty<T extends Closable>(
  link: string | undefined,
  line: Omit<SerialStreamOptions, 'path'>,
  start: (stream: SerialStream, endpoint: string) => T | Promise<T>,
): Promise<T & { endpoint: string }> {
  return serveOnPty(link, async (pty) => {
    const stream = await openSerialStream({ ...line, path: pty.pathB });
    const release = async (): Promise<void> => {
      stream.close();
      await stream.whenClosed();
    };
    let running: T;
    try {
      running = await start(stream, pty.pathA);
    } catch (error) {
      await release();
      throw error;
    }
    return {
      ...running,
      async close() {
        await running.close();
        await release();
      },
    };
  });
}

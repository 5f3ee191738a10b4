import test from 'ava';
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { openSerialStream, type SerialStream } from '../firmware/rpi/ports/serial-stream.js';
import { serveOnPty, serveStreamOnPty } from './pty-serve.js';

let linkCounter = 0;
const freshLink = () => path.join(os.tmpdir(), `axon-pty-serve-test-${process.pid}-${linkCounter++}`);

test('a start that throws leaves no socat links behind, and its error goes on unchanged', async (t) => {
  const link = freshLink();
  let seen: SerialStream | undefined;
  const error = await t.throwsAsync(serveStreamOnPty(link, { baud: 9600 }, (stream) => {
    seen = stream;
    throw new Error('simulator refused its options');
  }));
  t.is(error?.message, 'simulator refused its options');
  t.false(existsSync(link), 'the gateway-side link is gone');
  t.false(seen?.isOpen ?? true, 'the simulator-side stream was closed');
});

test('close stops the simulator before its stream and the pty, and the endpoint is where the user asked', async (t) => {
  const link = freshLink();
  const order: string[] = [];
  const served = await serveStreamOnPty(link, { baud: 9600 }, (stream) => {
    stream.onReadable = (bytes) => stream.write(bytes.map((b) => b ^ 0xff)); // a simulator that inverts every byte
    return {
      async close() {
        order.push(`simulator stopped, stream open: ${stream.isOpen}, link there: ${existsSync(link)}`);
      },
    };
  });
  t.is(served.endpoint, link);
  const master = await openSerialStream({ path: link, baud: 9600 });
  const reply = new Promise<Uint8Array>((resolve) => {
    master.onReadable = resolve;
  });
  master.write(Uint8Array.of(0x0f, 0xa5));
  t.deepEqual([...(await reply)], [0xf0, 0x5a]);
  master.close();
  await master.whenClosed();
  await served.close();
  t.deepEqual(order, ['simulator stopped, stream open: true, link there: true']);
  t.false(existsSync(link));
});

test('serveOnPty: a simulator that opens the port itself gets the far end by path', async (t) => {
  const link = freshLink();
  const served = await serveOnPty(link, async (pty) => {
    const stream = await openSerialStream({ path: pty.pathB, baud: 9600 });
    return { async close() { stream.close(); await stream.whenClosed(); } };
  });
  t.true(existsSync(link));
  await served.close();
  t.false(existsSync(link));
});

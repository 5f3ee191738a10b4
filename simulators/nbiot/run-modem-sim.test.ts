/**
 * The NB-IoT driver against the simulated modem through serialport's real
 * bindings on a socat pty pair: the driver opens one end with openSerialStream
 * exactly as it would /dev/ttyUSB0, the simulator answers on the other.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asciiBytes, asciiText } from '../../drivers/bytes.js';
import { NbIotModem } from '../../drivers/nbiot/modem.js';
import { NbIotUplink } from '../../drivers/nbiot/uplink.js';
import { NodeClock } from '../../firmware/rpi/ports/node-clock.js';
import { openSerialStream } from '../../firmware/rpi/ports/serial-stream.js';
import { runModemSimulator } from './run-modem-sim.js';

test('attach → send → receive through serialport on a real pty', async (t) => {
  const link = path.join(os.tmpdir(), `axon-nbiot-${process.pid}-${Date.now().toString(36)}`);
  const sim = await runModemSimulator({ pty: link, attachDelayMs: 400, radioDelayMs: 50, networkDelayMs: 30, nsorfPrefix: false });
  t.teardown(() => sim.close());
  t.is(sim.endpoint, link);

  const stream = await openSerialStream({ path: sim.endpoint, baud: 9600 });
  const clock = new NodeClock();
  const modem = new NbIotModem({ stream, clock, attachPollMs: 100, attachDeadlineMs: 10_000 });
  const uplink = new NbIotUplink({ modem, transport: { kind: 'udp', host: '203.0.113.10', port: 5684 }, ackTimeoutMs: 3000 });
  t.teardown(async () => {
    modem.close();
    clock.cancelAll();
    stream.close();
    await stream.whenClosed();
  });

  await modem.start();
  t.is(modem.state, 'ready');
  t.deepEqual(sim.simulator.commands.slice(0, 4), ['AT', 'ATE0', 'AT+CMEE=1', 'AT+CFUN=1']);

  await uplink.send({ payload: asciiBytes('level=12.5'), port: 3, priority: 'alert' });
  t.is(sim.server.messages.length, 1);
  t.is(asciiText(sim.server.messages[0].payload), 'level=12.5');
  t.true(sim.server.messages[0].alert);

  const downlink = new Promise<string>((resolve) => {
    uplink.onDownlink = (message) => resolve(`${message.port}:${asciiText(message.payload)}`);
  });
  t.true(sim.server.sendDownlink(42, 9, asciiBytes('interval=60')));
  t.is(await downlink, '9:interval=60');
  const signal = await modem.signal();
  t.is(signal.rssiDbm, -73);

  await sim.close();
  t.false(existsSync(link));
});

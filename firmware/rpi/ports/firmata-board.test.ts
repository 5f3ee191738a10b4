/**
 * johnny-five through Firmata on a pty: the project's StandardFirmata device
 * simulator (simulators/firmata) on one end of a socat pty pair, the host
 * side (firmata-io with a serialport 13 transport, johnny-five's Board and
 * Relay) on the other, both through serialport's real bindings. The
 * simulator logs every electrical change per pin, which is what the relay
 * board sees.
 */
import test from 'ava';
import { createPtyPair } from '../../../simulators/pty.js';
import { FirmataDeviceSimulator } from '../../../simulators/firmata/firmata-device.js';
import { openFirmataBoard } from './firmata-board.js';
import { openSerialStream } from './serial-stream.js';

test('johnny-five over Firmata on a pty: handshake, relays at their inactive level from the first instant, switched on and off', async (t) => {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const deviceEnd = await openSerialStream({ path: pty.pathB, baud: 57600 });
  t.teardown(() => deviceEnd.close());
  const device = new FirmataDeviceSimulator({ stream: deviceEnd, now: () => Date.now() });
  // An Uno resets when the port opens and announces itself once its bootloader is done.
  const booting = setTimeout(() => device.boot(), 300);
  t.teardown(() => clearTimeout(booting));
  const board = await openFirmataBoard({ path: pty.pathA, readyTimeoutMs: 15_000 });
  t.teardown(() => board.close());
  t.is(board.io.firmware.name, 'StandardFirmata.ino');
  t.true(device.received.includes('f0 6b f7'), 'the host asked for the capabilities');

  // An active-low (opto-isolated) relay board on pin 7, an active-high one on pin 8.
  const barrier = board.relay(7, { activeLow: true, name: 'barrier-relay' });
  const light = board.relay(8, { name: 'warning-light' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const levels = (pin: number) => device.levels.get(pin)?.map((entry) => entry.level);
  t.deepEqual(levels(7), ['Z', 'pullup', 1], 'pin 7: floating, pulled up, then driven high: never low, so the active-low relay never clicked');
  t.deepEqual(levels(8), ['Z', 0], 'pin 8: floating, then driven low: the active-high relay stays off');
  t.is(device.modeOf(7), 1);
  t.is(device.modeOf(8), 1);

  barrier.write(1);
  light.write(1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.is(device.level(7), 0, 'the barrier relay energised (pin pulled low)');
  t.is(device.level(8), 1, 'the warning light energised (pin high)');
  barrier.write(0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.is(device.level(7), 1);
  t.deepEqual(levels(7), ['Z', 'pullup', 1, 0, 1]);

  // The hazard the order avoids: made an output first, a pin drives low before anything is written.
  board.io.pinMode(9, board.io.MODES.OUTPUT);
  board.io.digitalWrite(9, 1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.deepEqual(levels(9), ['Z', 0, 1], 'pinMode first: a low glitch an active-low relay would act on');
});

test('a board that never speaks Firmata is refused with a fix', async (t) => {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const silent = await openSerialStream({ path: pty.pathB, baud: 57600 });
  t.teardown(() => silent.close());
  const error = await t.throwsAsync(openFirmataBoard({ path: pty.pathA, readyTimeoutMs: 2000 }));
  t.is((error as { code?: string }).code, 'FIRMATA_TIMEOUT');
  t.regex(error?.message ?? '', /flash StandardFirmata/);
});

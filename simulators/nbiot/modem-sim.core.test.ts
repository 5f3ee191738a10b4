/** The simulated modem at the AT level, driven by raw text (no driver in between). */
import { test } from '../../test/kit/core-test.js';
import { asciiBytes, asciiText } from '../../drivers/bytes.js';
import { createStreamPair } from '../../drivers/ports/memory-stream.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { MODEM_LINE } from './test-fixture.js';
import { NbIotModemSimulator, type NbIotModemSimOptions } from './modem-sim.js';
import { parseSimCommand } from './at-command.js';

function terminal(options: Omit<NbIotModemSimOptions, 'stream' | 'clock'> = {}) {
  const clock = new VirtualClock();
  const [host, modemSide] = createStreamPair({ clock, line: MODEM_LINE });
  const sim = new NbIotModemSimulator({ stream: modemSide, clock, ...options });
  let received = '';
  host.onReadable = (bytes) => {
    received += asciiText(bytes);
  };
  /** Type a command and return everything the modem printed within `waitMs`. */
  const type = async (command: string, waitMs = 2000): Promise<string> => {
    received = '';
    host.write(asciiBytes(command + '\r'));
    await clock.advance(waitMs);
    return received;
  };
  return { clock, sim, type, host };
}

test('echo on by default, off after ATE0; replies framed with CR LF', async (t) => {
  const { type } = terminal();
  t.is(await type('AT+CSQ'), 'AT+CSQ\r\n\r\n+CSQ:99,99\r\n\r\nOK\r\n');
  t.is(await type('ATE0'), 'ATE0\r\n\r\nOK\r\n');
  t.is(await type('AT+CGATT?'), '\r\n+CGATT:0\r\n\r\nOK\r\n');
});

test('CME errors need AT+CMEE=1, otherwise plain ERROR', async (t) => {
  const { type } = terminal({ echo: false });
  t.is(await type('AT+NSOST=3,1.2.3.4,5,1,AA'), '\r\nERROR\r\n');
  await type('AT+CMEE=1');
  t.is(await type('AT+NSOST=3,1.2.3.4,5,1,AA'), '\r\n+CME ERROR: 530\r\n');
  t.is(await type('AT+BOGUS'), '\r\nERROR\r\n');
});

test('attach takes attachDelayMs after CFUN=1 and reports +CEREG when enabled', async (t) => {
  const { type, sim, clock } = terminal({ echo: false, attachDelayMs: 10_000 });
  await type('AT+CEREG=1');
  await type('AT+CFUN=1');
  t.false(sim.attached);
  t.is(await type('AT+CEREG?'), '\r\n+CEREG:1,2\r\n\r\nOK\r\n');
  await clock.advance(8000);
  t.true(sim.attached);
  t.is(await type('AT+CGATT?'), '\r\n+CGATT:1\r\n\r\nOK\r\n');
});

test('UDP: socket, send to the network handler, reply as +NSONMI, read with and without prefix', async (t) => {
  for (const nsorfPrefix of [true, false]) {
    const { type, sim, clock } = terminal({ echo: false, attachDelayMs: 100, nsorfPrefix });
    sim.onUdp = (d, reply) => reply(Uint8Array.of(...d.payload, 0xff));
    await type('AT+CFUN=1');
    await clock.advance(1000);
    t.is(await type('AT+NSOCR=DGRAM,17,0,1'), '\r\n0\r\n\r\nOK\r\n');
    t.is(await type('AT+NSOST=0,10.0.0.1,9000,2,ABCD', 3000), '\r\n0,2\r\n\r\nOK\r\n\r\n+NSONMI:0,3\r\n');
    const read = await type('AT+NSORF=0,512');
    t.is(read, `\r\n${nsorfPrefix ? '+NSORF:' : ''}0,10.0.0.1,9000,3,ABCDFF,0\r\n\r\nOK\r\n`);
    t.is(await type('AT+NSORF=0,512'), '\r\nOK\r\n', 'nothing left');
    t.true(sim.deliverUdp(0, '10.0.0.2', 1, new Uint8Array(5)));
    await clock.advance(100); // let the +NSONMI notice go by
    t.is(await type('AT+NSORF=0,2'), `\r\n${nsorfPrefix ? '+NSORF:' : ''}0,10.0.0.2,1,2,0000,3\r\n\r\nOK\r\n`, 'partial read reports the remainder');
  }
});

test('reboot: banner after the boot delay, settings and sockets gone, commands ignored while booting', async (t) => {
  const { type, sim } = terminal({ attachDelayMs: 10 });
  await type('ATE0');
  await type('AT+CFUN=1');
  await type('AT+NSOCR=DGRAM,17,0,1');
  sim.reboot('REBOOT_CAUSE_SECURITY_RESET_PIN');
  t.is(await type('AT', 100), '', 'booting: no answer');
  t.is(await type('AT', 1000), '\r\nREBOOT_CAUSE_SECURITY_RESET_PIN\r\nNeul \r\nOK\r\n');
  t.is(await type('AT+CGATT?'), 'AT+CGATT?\r\n\r\n+CGATT:0\r\n\r\nOK\r\n', 'echo back on, detached');
  t.is(sim.openSockets, 0);
});

test('scripted faults and noise injection', async (t) => {
  const { type, sim } = terminal({ echo: false, faults: { noiseRate: 1 }, seed: 3 });
  sim.failNext('', { reply: '+CME ERROR: 4' });
  t.true((await type('AT')).endsWith('\r\n+CME ERROR: 4\r\n'));
  const noisy = await type('AT');
  t.true(noisy.endsWith('\r\nOK\r\n'));
  t.true([...noisy].some((c) => c.charCodeAt(0) >= 0x80 || c.charCodeAt(0) === 0), 'binary noise before the reply');
  sim.failNext('+CSQ', { silence: true });
  t.is(await type('AT+CSQ'), '');
});

test('command line parsing', (t) => {
  t.deepEqual(parseSimCommand('AT+QMTPUB=0,1,1,0,"a/b","x,y"')?.args.map((a) => a.text), ['0', '1', '1', '0', 'a/b', 'x,y']);
  t.is(parseSimCommand('AT+CGATT?')?.kind, 'query');
  t.is(parseSimCommand('AT+CGATT=?')?.kind, 'test');
  t.is(parseSimCommand('ATE0')?.name, 'E0');
  t.is(parseSimCommand('hello'), undefined);
  t.is(parseSimCommand('AT+CSQ?junk'), undefined);
});

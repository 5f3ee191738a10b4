import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { fromHex, toHex } from '../bytes.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { ModbusTcpMaster } from './tcp-master.js';
import { ScriptedResponder, type ScriptedReply } from './test-support.js';

/** MBAP reply echoing the request's transaction id. */
function mbap(request: Uint8Array, unit: number, pduHex: string): Uint8Array {
  const pdu = fromHex(pduHex);
  const out = new Uint8Array(7 + pdu.length);
  out.set([request[0], request[1], 0, 0, (pdu.length + 1) >> 8, (pdu.length + 1) & 0xff, unit]);
  out.set(pdu, 7);
  return out;
}

function tcpRequestLength(bytes: Uint8Array): number | undefined {
  return bytes.length < 6 ? undefined : 6 + ((bytes[4] << 8) | bytes[5]);
}

function setup(script: (request: Uint8Array, index: number) => ScriptedReply | undefined, timeoutMs = 1000) {
  const clock = new VirtualClock();
  const [masterSide, serverSide] = createStreamPair();
  const server = new ScriptedResponder(serverSide, clock, script, tcpRequestLength);
  const master = new ModbusTcpMaster({ stream: masterSide, clock, retries: 0, timeoutMs });
  return { clock, master, server };
}

test('MBAP request framing and reply decoding', async (t) => {
  const { clock, master, server } = setup((req) => ({ bytes: mbap(req, 9, '03 04 0102 0304') }));
  t.deepEqual(Array.from(await clock.run(master.readHoldingRegisters(9, 0x6b, 2))), [0x0102, 0x0304]);
  t.is(toHex(server.requests[0]), '0001' + '0000' + '0006' + '09' + '03006b0002');
  await clock.run(master.readHoldingRegisters(9, 0, 2));
  t.is(toHex(server.requests[1].slice(0, 2)), '0002', 'transaction ids advance');
});

const FAULTS: Array<{ kind: string; reply: (req: Uint8Array) => ScriptedReply; code: string }> = [
  { kind: 'exception', reply: (req) => ({ bytes: mbap(req, 1, '83 02') }), code: 'MODBUS_EXCEPTION' },
  { kind: 'silence', reply: () => ({}), code: 'MODBUS_TIMEOUT' },
  { kind: 'slow', reply: (req) => ({ bytes: mbap(req, 1, '03 02 0007'), delayMs: 1200 }), code: 'MODBUS_LATE_RESPONSE' },
  { kind: 'garbage', reply: () => ({ bytes: fromHex('de ad be ef 13 37 42 42') }), code: 'MODBUS_NOISE' },
  { kind: 'truncate', reply: (req) => ({ bytes: mbap(req, 1, '03 02 0007').slice(0, 9) }), code: 'MODBUS_TRUNCATED' },
  { kind: 'wrong-unit', reply: (req) => ({ bytes: mbap(req, 2, '03 02 0007') }), code: 'MODBUS_WRONG_UNIT' },
];

test('each TCP fault kind yields its own named error and the next request succeeds', async (t) => {
  for (const fault of FAULTS) {
    const { clock, master } = setup((req, index) => (index === 0 ? fault.reply(req) : { bytes: mbap(req, 1, '03 02 0007') }));
    await t.throwsAsync(clock.run(master.readHoldingRegisters(1, 0, 1)), { code: fault.code }, fault.kind);
    t.is((await clock.run(master.readHoldingRegisters(1, 0, 1)))[0], 7, `${fault.kind}: next request`);
  }
});

test('a reply to an abandoned transaction is discarded, not taken for the current one', async (t) => {
  let first: Uint8Array | undefined;
  const { clock, master } = setup((req, index) => {
    if (index === 0) {
      first = req;
      return {};
    }
    // The stale reply to request 0 arrives first, then the real one.
    const stale = mbap(first as Uint8Array, 1, '03 02 dead');
    const fresh = mbap(req, 1, '03 02 0042');
    return { bytes: new Uint8Array([...stale, ...fresh]) };
  }, 200);
  await t.throwsAsync(clock.run(master.readHoldingRegisters(1, 0, 1)), { code: 'MODBUS_TIMEOUT' });
  t.is((await clock.run(master.readHoldingRegisters(1, 0, 1)))[0], 0x42);
  t.true(master.stats.discardedBytes >= 9);
});

test('fuzz: random TCP replies never hang the master', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 30 }), async (reply) => {
      const { clock, master } = setup(() => ({ bytes: reply }), 100);
      try {
        await clock.run(master.readHoldingRegisters(1, 0, 1), 10_000);
        return true;
      } catch (error) {
        return String((error as { code?: unknown }).code).startsWith('MODBUS_');
      }
    }),
    { numRuns: 150 },
  );
  t.pass();
});

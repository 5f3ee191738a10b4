import { test } from '../../test/kit/core-test.js';
import type { SerialLineSettings } from '../ports/byte-stream.js';
import type { BusConfig } from '../gateway/site.js';
import { onePlanPerPoint } from '../../sdk/site/wire-ratio.js';
import { encodeDlt645Frame, readDataRequest } from '../dlt645/frame.js';
import { encodeCjt188Frame, cjt188ReadRequest, CjtMeterType } from '../cjt188/frame.js';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import {
  cjt188ReadBytes,
  dlt645ReadBytes,
  modbusReadBytes,
  modbusReadWireMs,
  planBus,
  planSite,
  transactionWireMs,
} from './bus-time.js';

const L8N1: SerialLineSettings = { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 };
const L8E1: SerialLineSettings = { baud: 9600, dataBits: 8, parity: 'even', stopBits: 1 };
const near = (actual: number, expected: number, tolerance = 0.05) => Math.abs(actual - expected) <= tolerance;

test('DESIGN.md §3 worked numbers: T(1) ≈ 22.9 ms and T(125) ≈ 281 ms at 9600 8N1', (t) => {
  t.true(near(modbusReadWireMs(3, 1, L8N1), 22.9), `T(1) = ${modbusReadWireMs(3, 1, L8N1)}`);
  t.true(near(modbusReadWireMs(4, 125, L8N1), 281.25, 0.01), `T(125) = ${modbusReadWireMs(4, 125, L8N1)}`);
  // (13 + 2N)·b/baud + 2·t3.5 exactly, with t3.5 = 3.5 characters.
  for (const n of [1, 2, 10, 64, 125]) t.true(near(modbusReadWireMs(3, n, L8N1), ((13 + 2 * n) * 10 * 1000) / 9600 + 2 * 3.5 * (10 * 1000) / 9600, 1e-9));
});

test('bits per character follow the line: 8E1 is 11 bits, above 19200 baud t3.5 is 1.75 ms', (t) => {
  t.true(near(modbusReadWireMs(3, 1, L8E1), (15 * 11 * 1000) / 9600 + 7 * (11 * 1000) / 9600, 1e-9));
  const fast: SerialLineSettings = { ...L8N1, baud: 38400 };
  t.true(near(modbusReadWireMs(3, 1, fast), (15 * 10 * 1000) / 38400 + 2 * 1.75, 1e-9));
  t.true(near(modbusReadWireMs(3, 1, L8N1, 10), modbusReadWireMs(3, 1, L8N1) + 10, 1e-9), 'turnaround is added once');
});

test('frame sizes: bit reads pack 8 per byte; meter frames match the encoders', (t) => {
  t.deepEqual(modbusReadBytes(3, 10), { request: 8, reply: 25 });
  t.deepEqual(modbusReadBytes(1, 1), { request: 8, reply: 6 });
  t.deepEqual(modbusReadBytes(2, 9), { request: 8, reply: 7 });
  t.deepEqual(modbusReadBytes(1, 2000), { request: 8, reply: 255 });
  const dlt = dlt645ReadBytes('00010000');
  t.is(dlt.request, encodeDlt645Frame(readDataRequest('000000000161', '00010000'), { preambleBytes: 4 }).length);
  t.is(dlt.reply, 20, 'DESIGN.md §4 reply 68 14 01 00 31 82 21 68 91 08 … F1 16 is 20 bytes');
  t.is(dlt645ReadBytes('02010100').reply, 18, 'voltage: 2 value bytes');
  t.is(dlt645ReadBytes('9010').request, 4 + 14, '1997: 2-byte DI');
  const cjt = cjt188ReadBytes(CjtMeterType.COLD_WATER);
  t.is(cjt.request, encodeCjt188Frame(cjt188ReadRequest(0x10, '00000000000012', '901F', 0), { preambleBytes: 2 }).length);
  t.is(cjt.request, 16 + 2, 'DESIGN.md §4 request is 16 bytes, plus 2 FE');
  t.true(near(transactionWireMs(cjt, { ...L8E1, baud: 2400 }), (cjt.request + cjt.reply) * 11 * 1000 / 2400 + 7 * 11 * 1000 / 2400, 1e-9));
});

test('the demo site fits: every request listed, cycle and utilisation per bus', (t) => {
  const plan = planSite(demoSite(), shippedManifests());
  t.is(plan.verdict, 'ok');
  const bus = plan.buses[0];
  t.is(bus.line, '9600 8N1');
  t.is(bus.bitsPerChar, 10);
  t.is(bus.windowMs, 10_000, 'the smoke detectors poll every 10 s');
  t.is(bus.windowDevice, 'smoke-pump-room');
  const polled = bus.requests.filter((r) => r.kind === 'poll');
  t.true(near(bus.cycleMs, polled.reduce((s, r) => s + r.wireMs, 0), 0.01));
  t.true(near(bus.utilisation, bus.cycleMs / bus.windowMs, 1e-6));
  t.is(bus.verdict, 'ok');
  t.deepEqual(polled.filter((r) => r.device === 'pump-feeder').map((r) => [r.fc, r.address, r.count]), [[4, 0, 14], [4, 70, 2], [4, 342, 2]]);
  t.deepEqual(polled.filter((r) => r.device === 'site-meter').map((r) => r.di), ['00010000', '02010100', '02020100', '02030000']);
  t.true(bus.requests.some((r) => r.kind === 'config' && r.device === 'underpass-longhua' && r.address === 0 && r.count === 7), 'config reads are listed, once');
  t.false(bus.requests.some((r) => r.device === 'river-gauge' && r.points.includes('mounting_height')), 'disabled points are not read');
  t.true(bus.load < bus.utilisation, 'steady-state load is below the all-due-at-once utilisation');
});

function tightBus(periodS: number, baud = 9600): BusConfig {
  const bus = demoSite().buses[0];
  bus.baud = baud;
  for (const device of bus.devices) device.pollPeriodS = periodS;
  for (const device of bus.devices) delete device.adaptive;
  return bus;
}

test('verdicts: warn above 70 %, reject above 100 %, with what to change', (t) => {
  const manifests = shippedManifests();
  const ok = planBus(tightBus(60), manifests);
  t.is(ok.verdict, 'ok');
  t.true(/fits/.test(ok.message));
  const cycleS = ok.cycleMs / 1000;
  const warn = planBus(tightBus(Math.ceil(cycleS / 0.8 * 10) / 10), manifests);
  t.is(warn.verdict, 'warn', `${warn.utilisation}`);
  t.true(/retries and timeouts/.test(warn.message));
  const reject = planBus(tightBus(0.5), manifests);
  t.is(reject.verdict, 'reject');
  t.true(reject.utilisation > 1);
  t.true(/cannot fit the baud rate/.test(reject.message), reject.message);
  t.true(/raise the bus \(and every device on it\) to 38400 baud/.test(reject.message), reject.message);
  t.true(/lengthen the poll period of 'underpass-longhua' \(now 0.5 s\) to at least 2 s/.test(reject.message), reject.message);
  t.true(/read fewer points \(the longest request is 'pump-feeder' FC04 14 registers/.test(reject.message), reject.message);
  t.is(planSite({ ...demoSite(), buses: [tightBus(0.5)] }, manifests).verdict, 'reject');
  const hopeless = planBus(tightBus(0.05, 1200), manifests);
  t.true(/even 115200 baud does not bring the cycle under 70/.test(hopeless.message), hopeless.message);
});

test('coalescing cuts the demo site requests and wire time versus one request per point', (t) => {
  const site = demoSite();
  const manifests = shippedManifests();
  const coalesced = planSite(site, manifests);
  const naive = planSite(site, manifests, onePlanPerPoint(site, manifests));
  const polled = (plan: typeof coalesced) => plan.buses.flatMap((b) => b.requests.filter((r) => r.kind === 'poll'));
  const points = polled(coalesced).reduce((n, r) => n + r.points.length, 0);
  t.is(points, 32);
  t.is(polled(naive).length, 32, 'naive: one request per point (meters already read one DI per point)');
  t.is(polled(coalesced).length, 18);
  const cycle = (plan: typeof coalesced) => plan.buses.reduce((s, b) => s + b.cycleMs, 0);
  t.true(cycle(coalesced) < 0.75 * cycle(naive), `coalesced ${cycle(coalesced)} ms vs ${cycle(naive)} ms`);
  const modbusMs = (plan: typeof coalesced) => polled(plan).filter((r) => r.protocol === 'modbus').reduce((s, r) => s + r.wireMs, 0);
  t.true(modbusMs(coalesced) < 0.6 * modbusMs(naive), `Modbus: coalesced ${modbusMs(coalesced)} ms vs ${modbusMs(naive)} ms`);
});

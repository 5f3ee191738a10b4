/**
 * Shared by the RUI3 tests: the driver, the simulated RAK3172 on the other
 * end of an in-memory serial line (115200 baud wire time), the module's MAC
 * on the simulated channel with the MAC's test network server, and a whole
 * gateway day over it.
 */
import type { CoreAssertions } from '../../test/kit/assertions.js';
import { PortableAes128 } from '../crypto/aes128.js';
import { toHex } from '../bytes.js';
import { createBench, APP_KEY, DEV_EUI, JOIN_EUI, type Bench } from '../lorawan/mac/test-support.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { Rui3ModuleSimulator } from '../../simulators/rui3/module-sim.js';
import { attachAckServiceToTestNetwork } from '../../simulators/ack-service/test-network.js';
import { alertsIn, decodeUplink } from '../../sdk/codec/decode-uplink.js';
import { MINUTE, Pipeline } from '../gateway/test-support.js';
import { Rui3Uplink, type Rui3UplinkOptions, type Rui3State } from './uplink.js';

export const OTAA_DEVADDR = 0x26000042;
export const KEYS = { devEui: toHex(DEV_EUI), joinEui: toHex(JOIN_EUI), appKey: toHex(APP_KEY) };

export interface Rig {
  lora: Bench;
  module: Rui3ModuleSimulator;
  uplink: Rui3Uplink;
  states: Rui3State[];
}

export function rig(options: Partial<Rui3UplinkOptions> = {}, lora: Bench = createBench({ region: 'EU868' })): Rig {
  const [host, moduleEnd] = createStreamPair({ clock: lora.clock, line: { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1 } });
  const module = new Rui3ModuleSimulator({ stream: moduleEnd, clock: lora.clock, radio: lora.radio, cipher: new PortableAes128(), store: lora.store, seed: 3 });
  const states: Rui3State[] = [];
  const uplink = new Rui3Uplink({ stream: host, clock: lora.clock, region: 'EU868', credentials: KEYS, onState: (state) => states.push(state), ...options });
  return { lora, module, uplink, states };
}

/**
 * `hours` of the gateway over the RUI3 module (the smoke alarm goes off and
 * clears at hour `alarmAtHour`): every sample reaches the platform once,
 * alerts confirmed, data released by data-acks.
 */
export async function gatewayOverRui3(t: CoreAssertions, hours: number, alarmAtHour: number): Promise<void> {

  const lora = createBench({ region: 'EU868' });
  const { module, uplink } = rig({ dataRate: 5 }, lora);
  const acks = attachAckServiceToTestNetwork(lora.network, OTAA_DEVADDR);
  const p = new Pipeline({
    devices: ['underpass-longhua', 'smoke-pump-room'],
    clock: lora.clock,
    uplinkPort: uplink,
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: alarmAtHour * 60, durationMinutes: 20 } } } },
    gateway: { flushEveryMs: 30 * MINUTE },
  });
  uplink.start();
  p.gateway.start();
  await p.until(hours * 60 * MINUTE);
  p.gateway.flush();
  await p.until(hours * 60 * MINUTE + 10 * MINUTE);
  const heard = lora.network.uplinksOf(OTAA_DEVADDR).filter((u) => (u.fPort ?? 0) > 0).map((u) => ({
    ...decodeUplink(u.payload, p.gateway.channelTable), confirmed: u.confirmed, fCnt: u.fCnt,
    duplicate: acks.frames.find((f) => f.fCnt === u.fCnt)?.duplicate === true,
  }));
  const stats = p.gateway.stats();
  const readings: string[] = [];
  for (const m of heard) if (m.type === 'batch' && !m.duplicate) for (const r of m.readings) readings.push(`${r.device}.${r.point}@${r.t}`);
  t.true(stats.samples > 1000, `${hours} hours of samples (${stats.samples})`);
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the platform');
  t.is(new Set(readings).size, readings.length, 'none twice');
  const alerts: string[] = [];
  for (const m of heard) for (const a of alertsIn(m)) alerts.push(`${a.rule} ${a.state}`);
  t.true(alerts.includes('smoke-pump-room-smoke raised') && alerts.includes('smoke-pump-room-smoke cleared'), alerts.join(', '));
  t.true(heard.filter((m) => m.type === 'alert' || m.type === 'alerts').every((m) => m.confirmed), 'alerts went confirmed (AT+CFM=1)');
  t.true(heard.filter((m) => m.type === 'batch').every((m) => !m.confirmed), 'data went unconfirmed (AT+CFM=0)');
  t.true(acks.acks.length > 0, `the platform's data-acks came down as +EVT:RX (${acks.acks.length})`);
  t.is(stats.store.pendingAlerts, 0);
  t.true(stats.store.pendingReadings <= (stats.uplink.awaitingAck ?? 0), 'the log holds only frames since the last data-ack');
  t.is(module.stats.joins, 1, 'one join for the day');
  t.deepEqual(lora.network.problems, [], 'no MIC failure, no counter reuse');
  await p.close();
  t.deepEqual(p.errors(), []);
}

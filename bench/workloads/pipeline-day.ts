/**
 * The whole gateway core on the demo site, in virtual time, for the XS
 * compute meter (bench/suites/pipeline.ts): scheduler, Modbus RTU / DL/T 645 /
 * CJ/T 188 framing and decoding, manifest-driven drivers, alert rules, batch
 * encoding, the store-and-forward log on MemoryFileSystem and the sender loop,
 * against the demo site's simulated devices (simulateSite) and a MemoryUplink.
 *
 * Window: simulated minutes 55–115 of the demo day (one hour: the storm's
 * rise with adaptive polling, the fire in the pump room and its alarms, the
 * uplink busy with alerts and batches). A quiet hour costs a little less per
 * reading (no alerts); the figure is per reading, so no scaling is needed.
 *
 * The device simulators run in the same XS worker and must not be counted.
 * Subtraction: `pipeline.simulators` replays, at the same virtual times, the
 * exact request bytes the gateway wrote in an identical run (recorded once,
 * in setup, not measured) into an identical simulated site with nobody
 * listening to the replies. The devices, their protocol fronts, the shared
 * bus, the in-memory lines and the clock's delivery timers then do exactly the
 * same work as under the gateway; the difference is the gateway's own work.
 *
 * `pipeline.gateway_lorawan` adds LoRaWAN framing to every uplink message
 * (drivers/lorawan encodeDataFrame, unconfirmed data up, with the portable
 * AES: in XS the host's AES cannot be called synchronously), so its
 * difference to `pipeline.gateway` is the framing and encryption cost.
 */
import { Gateway, type GatewayStats } from '../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import type { ByteStream } from '../../drivers/ports/byte-stream.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { MemoryKeyValueStore } from '../../drivers/ports/storage.js';
import type { UplinkMessage, UplinkPort } from '../../drivers/ports/uplink.js';
import { MemoryFileSystem } from '../../drivers/store/memory-file-system.js';
import { PortableAes128 } from '../../drivers/crypto/aes128.js';
import { encodeDataFrame } from '../../drivers/lorawan/data-frame.js';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { simulateSite } from '../../simulators/site-sim.js';
import { MemoryUplink } from '../../simulators/uplink/memory-uplink.js';
import { asyncWorkload, baselines, type WorkloadTable } from './harness.js';

export const PIPELINE_START_MINUTES = 55;
export const PIPELINE_WINDOW_MINUTES = 60;
/** CN470 DR2, the demo site's uplink. */
export const PIPELINE_MAX_PAYLOAD = 86;

const WINDOW_MS = PIPELINE_WINDOW_MINUTES * 60_000;

interface WrittenBytes {
  bus: string;
  atMs: number;
  bytes: Uint8Array;
}

export interface PipelineRun {
  stats: GatewayStats;
  uplink: MemoryUplink;
  table: Gateway['channelTable'];
  errors: number;
  endMs: number;
}

/** LoRaWAN data-up framing in front of an uplink (the MAC's encoding work, no radio). */
class LorawanFraming implements UplinkPort {
  onDownlink: UplinkPort['onDownlink'];
  #fCnt = 0;
  readonly #aes = new PortableAes128();
  readonly #keys = { nwkSKey: Uint8Array.from({ length: 16 }, (_, i) => i + 1), appSKey: Uint8Array.from({ length: 16 }, (_, i) => 16 - i) };
  constructor(private readonly inner: UplinkPort) {}
  maxPayloadBytes(): number {
    return this.inner.maxPayloadBytes();
  }
  send(message: UplinkMessage): Promise<void> {
    const phy = encodeDataFrame(this.#aes, { mType: 'unconfirmed-data-up', devAddr: 0x01020304, fCnt: this.#fCnt++, fPort: message.port, payload: message.payload }, this.#keys);
    return this.inner.send({ ...message, payload: phy });
  }
}

function freshSite(): { site: SiteFile; manifests: ReturnType<typeof shippedManifests>; clock: VirtualClock; sim: ReturnType<typeof simulateSite> } {
  const site = demoSite();
  const manifests = shippedManifests();
  const clock = new VirtualClock();
  return { site, manifests, clock, sim: simulateSite(site, manifests, clock, { startMinutes: PIPELINE_START_MINUTES }) };
}

/** One window of the whole pipeline; `record` (unmeasured) logs every byte the gateway writes to a bus. */
export async function runPipeline(options: { lorawan?: boolean; record?: WrittenBytes[] } = {}): Promise<PipelineRun> {
  const { site, manifests, clock, sim } = freshSite();
  const uplink = new MemoryUplink({ clock, maxPayloadBytes: PIPELINE_MAX_PAYLOAD });
  let errors = 0;
  const record = options.record;
  const gateway = new Gateway({
    site,
    manifests,
    clock,
    openPort: (bus) => (record === undefined ? sim.openPort(bus) : recordingPort(sim.openPort(bus), bus.id, clock, record)),
    files: new MemoryFileSystem(),
    meta: new MemoryKeyValueStore(),
    uplink: options.lorawan === true ? new LorawanFraming(uplink) : uplink,
    onEvent: (event) => {
      if (event.kind === 'error') errors++;
    },
  });
  gateway.start();
  await clock.advanceTo(WINDOW_MS);
  gateway.flush();
  const stats = gateway.stats();
  await clock.run(gateway.close());
  sim.close();
  return { stats, uplink, table: gateway.channelTable, errors, endMs: clock.now() };
}

function recordingPort(port: ByteStream, bus: string, clock: VirtualClock, log: WrittenBytes[]): ByteStream {
  return {
    get onReadable() {
      return port.onReadable;
    },
    set onReadable(handler) {
      port.onReadable = handler;
    },
    get onError() {
      return port.onError;
    },
    set onError(handler) {
      port.onError = handler;
    },
    line: port.line,
    write(bytes) {
      log.push({ bus, atMs: clock.now(), bytes: bytes.slice() });
      port.write(bytes);
    },
    close: () => port.close(),
  };
}

/** The same simulated site answering the same requests at the same times, with no gateway. */
async function replay(requests: readonly WrittenBytes[], endMs: number): Promise<number> {
  const { site, clock, sim } = freshSite();
  const ports = new Map<string, ByteStream>();
  for (const bus of site.buses) {
    const port = sim.openPort(bus);
    port.onReadable = () => undefined;
    ports.set(bus.id, port);
  }
  // One timer at a time, as the gateway has: a thousand pending timers would make every other timer's insertion dearer.
  let next = 0;
  const sendNext = () => {
    const request = requests[next++];
    ports.get(request.bus)?.write(request.bytes);
    if (next < requests.length) clock.schedule(requests[next].atMs - clock.now(), sendNext);
  };
  if (requests.length > 0) clock.schedule(requests[0].atMs, sendNext);
  await clock.advanceTo(endMs);
  sim.close();
  return requests.length;
}

/** What the far side decoded, to check that the measured pipeline works. */
function summary(run: PipelineRun): { samples: number; delivered: number; alerts: number; errors: number; undecodable: number } {
  run.uplink.channels = run.table;
  const readings = run.uplink.decoded('batch').reduce((n, m) => n + m.readings.length, 0);
  return {
    samples: run.stats.samples,
    delivered: readings + run.stats.queuedSamples,
    alerts: run.uplink.alerts().length,
    errors: run.errors,
    undecodable: run.uplink.received.filter((m) => m.decodeError !== undefined).length,
  };
}

let recorded: { requests: WrittenBytes[]; endMs: number } | undefined;

const simulatorsOnly = asyncWorkload('the same window with the gateway replaced by a replay of its request bytes: the device simulators alone', () => async () => {
  if (recorded === undefined) throw new Error('pipeline.simulators: setup did not record the requests');
  return replay(recorded.requests, recorded.endMs);
});

export const workloads: WorkloadTable = {
  ...baselines,
  'pipeline.gateway': asyncWorkload(`the demo site's pipeline for simulated minutes ${PIPELINE_START_MINUTES}–${PIPELINE_START_MINUTES + PIPELINE_WINDOW_MINUTES}, device simulators included`, () => () => runPipeline(), summary),
  'pipeline.gateway_lorawan': asyncWorkload('the same window, every uplink message LoRaWAN-framed with the portable AES', () => () => runPipeline({ lorawan: true }), (run) => ({
    samples: run.stats.samples,
    phyFrames: run.uplink.received.length,
    sent: run.stats.framesSent + run.stats.alertFramesSent + run.stats.statusSent,
    errors: run.errors,
  })),
  'pipeline.simulators': {
    ...simulatorsOnly,
    // Recording the gateway's requests is setup work: not measured.
    async setup() {
      const requests: WrittenBytes[] = [];
      const run = await runPipeline({ record: requests });
      recorded = { requests, endMs: run.endMs };
      simulatorsOnly.setup();
    },
  },
};

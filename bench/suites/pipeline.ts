/**
 * pipeline.xs_compute_per_reading: XS compute per reading of the whole gateway
 * core on the demo site (bench/workloads/pipeline-day.ts): scheduler,
 * Modbus/meter framing and decoding, rules, batch encoding, the log on
 * MemoryFileSystem, the sender loop. Goal ≤ 10 000.
 *
 *   per reading = (compute(gateway + simulators) − compute(simulators alone, replaying the gateway's requests)) / samples
 *
 * Each figure is one crank running the whole window, minus a crank of the
 * empty async baseline. The LoRaWAN variant adds data-frame encoding with the
 * portable AES to every uplink message.
 */
import { fileURLToPath } from 'node:url';
import { PIPELINE_MAX_PAYLOAD, PIPELINE_START_MINUTES, PIPELINE_WINDOW_MINUTES } from '../workloads/pipeline-day.js';
import { EMPTY_ASYNC } from '../workloads/harness.js';
import { XsBench, type XsMeasurement } from '../xs-meter.js';
import type { Suite, SuiteContext } from './common.js';

const WORKLOADS = fileURLToPath(new URL('../workloads/pipeline-day.ts', import.meta.url));
const GOAL = 10_000;

interface Checked {
  samples: number;
  delivered?: number;
  alerts?: number;
  errors: number;
  undecodable?: number;
  phyFrames?: number;
  sent?: number;
}

async function checkedOnce(bench: XsBench, name: string): Promise<Checked> {
  const result = (await bench.once(name)) as Checked;
  const wrong =
    result.errors !== 0 ||
    result.samples <= 0 ||
    (result.delivered !== undefined && result.delivered !== result.samples) ||
    (result.undecodable !== undefined && result.undecodable !== 0) ||
    (result.phyFrames !== undefined && result.phyFrames !== result.sent);
  if (wrong) throw new Error(`${name} inside XS did not deliver what it measured: ${JSON.stringify(result)}`);
  return result;
}

async function measure(context: SuiteContext, bench: XsBench, name: string): Promise<XsMeasurement> {
  const m = await bench.measure(name, EMPTY_ASYNC, 1, 1);
  context.log(`bench: ${name}: ${m.perOp} compute for the window`);
  return m;
}

export const pipelineSuite: Suite = {
  name: 'pipeline',
  async run(context) {
    const bench = await XsBench.open(WORKLOADS, 'pipeline');
    try {
      const plain = await checkedOnce(bench, 'pipeline.gateway');
      const framed = await checkedOnce(bench, 'pipeline.gateway_lorawan');
      const simulatorRequests = await bench.once('pipeline.simulators');
      const gateway = await measure(context, bench, 'pipeline.gateway');
      const lorawan = await measure(context, bench, 'pipeline.gateway_lorawan');
      const simulators = await measure(context, bench, 'pipeline.simulators');
      const window = `demo site (13 devices, 2 buses), simulated minutes ${PIPELINE_START_MINUTES}-${PIPELINE_START_MINUTES + PIPELINE_WINDOW_MINUTES}: storm rise with adaptive polling, pump-room fire, ${plain.alerts ?? 0} alerts`;
      const common = {
        engine: 'xs (@agoric/xsnap)',
        readings: plain.samples,
        window_minutes: PIPELINE_WINDOW_MINUTES,
        compute_gateway_and_simulators: gateway.perOp,
        compute_simulators: simulators.perOp,
        simulator_requests_replayed: Number(simulatorRequests),
        max_payload_bytes: PIPELINE_MAX_PAYLOAD,
        goal: GOAL,
      };
      const perReading = (gateway.perOp - simulators.perOp) / plain.samples;
      context.emit({
        metric: 'pipeline.xs_compute_per_reading',
        value: Math.round(perReading),
        unit: 'compute/reading',
        ...common,
        within_goal: perReading <= GOAL,
        note: `${window}. Whole core per reading: scheduler, Modbus RTU/DL/T 645/CJ/T 188 framing and decoding, drivers, rules, batch encoding, store on MemoryFileSystem, sender loop. Device simulators excluded by subtracting a run that replays the gateway's request bytes at the same virtual times into the same simulated site. LoRaWAN framing NOT included (see pipeline.xs_compute_per_reading_lorawan).`,
      });
      const perReadingFramed = (lorawan.perOp - simulators.perOp) / framed.samples;
      context.emit({
        metric: 'pipeline.xs_compute_per_reading_lorawan',
        value: Math.round(perReadingFramed),
        unit: 'compute/reading',
        ...common,
        compute_gateway_and_simulators: lorawan.perOp,
        lorawan_frames: framed.phyFrames ?? 0,
        within_goal: perReadingFramed <= GOAL,
        note: `${window}. As pipeline.xs_compute_per_reading plus LoRaWAN data-frame encoding (drivers/lorawan encodeDataFrame: FRMPayload encryption and MIC) of every uplink message with the portable AES in XS (on an ESP32 the AES would be the host's); the MAC itself (ADR, duty cycle, acks) is not included.`,
      });
    } finally {
      await bench.close();
    }
  },
};

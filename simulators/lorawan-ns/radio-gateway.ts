/**
 * The network server on the simulated LoRa channel (simulators/radio): a
 * SimulatedGateway's uplinks go to the core, and downlink plans are scheduled
 * on the channel at the uplink's end + the window delay, on the shared Clock.
 * The concentrator counter (`tmst`) is the clock in µs, so the core's timing
 * is the same as behind a Semtech packet forwarder. With several stations, a
 * shared DownlinkRouter sends each downlink through the one that heard the
 * device best.
 */
import { DownlinkRefusedError, type ReceivedUplink, type SimulatedGateway } from '../radio/index.js';
import type { Clock } from '../../drivers/ports/clock.js';
import type { LoraNetworkServer } from './network-server.js';
import type { DownlinkPlan, ReceivedFrame } from './types.js';

export interface RadioAttachment {
  /** Stop listening to the gateway. */
  detach(): void;
}

/**
 * Picks the base station for each downlink among all that heard the uplink,
 * as a real network server does after its de-duplication window: the best
 * SNR (then RSSI) first, the next ones when a station refuses (busy sending,
 * duty cycle). Without it, the station that reported first sends every
 * downlink, however weakly it heard the device. Share one router between the
 * attachments of all stations of a network; every station that hears an
 * uplink reports it at the same clock time, so the choice waits for a
 * zero-delay timer and is made while RX1 is still a second away.
 */
export class DownlinkRouter {
  readonly #clock: Clock;
  readonly #pending = new Map<string, { plan?: DownlinkPlan; endMs: number; heardBy: Array<{ gateway: SimulatedGateway; snr: number; rssi: number }> }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** One station's reception; `plan` is the server's answer (only the first reporter's is defined). */
  heard(ns: LoraNetworkServer, gateway: SimulatedGateway, uplink: ReceivedUplink, plan: DownlinkPlan | undefined): void {
    const key = `${uplink.deviceId}@${uplink.startMs}`;
    let entry = this.#pending.get(key);
    if (entry === undefined) {
      this.#pending.set(key, (entry = { endMs: uplink.endMs, heardBy: [] }));
      this.#clock.schedule(0, () => this.#decide(ns, key));
    }
    entry.plan ??= plan;
    entry.heardBy.push({ gateway, snr: uplink.snrDb, rssi: uplink.rssiDbm });
  }

  #decide(ns: LoraNetworkServer, key: string): void {
    const entry = this.#pending.get(key);
    this.#pending.delete(key);
    if (entry?.plan === undefined) return;
    const best = [...entry.heardBy].sort((a, b) => b.snr - a.snr || b.rssi - a.rssi).map((h) => h.gateway);
    schedule(ns, best, entry.plan, entry.endMs);
  }
}

export function attachToRadioGateway(ns: LoraNetworkServer, gateway: SimulatedGateway, router?: DownlinkRouter): RadioAttachment {
  const previous = gateway.onUplink;
  gateway.onUplink = (uplink) => {
    previous?.(uplink);
    const plan = ns.handleFrame(frameOf(uplink));
    if (router !== undefined) router.heard(ns, gateway, uplink, plan);
    else if (plan !== undefined) schedule(ns, [gateway], plan, uplink.endMs);
  };
  return {
    detach() {
      gateway.onUplink = previous;
    },
  };
}

function frameOf(uplink: ReceivedUplink): ReceivedFrame {
  return {
    phyPayload: uplink.payload,
    rx: {
      gatewayId: uplink.gatewayId,
      tmst: Math.round(uplink.endMs * 1000) % 2 ** 32,
      frequency: uplink.freqHz,
      sf: uplink.sf,
      bw: uplink.bw,
      codeRate: '4/5',
      rssi: uplink.rssiDbm,
      snr: uplink.snrDb,
    },
  };
}

/** The Semtech / ChirpStack TX_ACK error for a refusal (DUTY_CYCLE_OVERFLOW is ChirpStack's name). */
function txAckError(error: unknown): string {
  const code = error instanceof DownlinkRefusedError ? error.code : undefined;
  return code === 'TOO_LATE' ? 'TOO_LATE' : code === 'DUTY_CYCLE' ? 'DUTY_CYCLE_OVERFLOW' : 'COLLISION_PACKET';
}

/**
 * First window a gateway accepts, the gateways in order of preference for each
 * window; a refusal (busy, too late, duty cycle) falls back to the next gateway,
 * then the next window, as TX_ACK errors do over UDP.
 */
function schedule(ns: LoraNetworkServer, gateways: readonly SimulatedGateway[], plan: DownlinkPlan, uplinkEndMs: number): void {
  const errors: string[] = [];
  for (const window of plan.windows) {
    for (const gateway of gateways) {
      try {
        gateway.scheduleDownlink({ atMs: uplinkEndMs + window.delayMs, freqHz: window.frequency, sf: window.sf, bw: window.bw, powerDbm: window.powerDbm, payload: plan.phyPayload });
        ns.reportDownlink({ plan: gateway.id === plan.gatewayId ? plan : { ...plan, gatewayId: gateway.id }, window, errors });
        return;
      } catch (error) {
        errors.push(txAckError(error));
      }
    }
  }
  ns.reportDownlink({ plan, window: undefined, errors });
}

/**
 * The network server on the simulated LoRa channel (simulators/radio): a
 * SimulatedGateway's uplinks go to the core, and downlink plans are scheduled
 * on the channel at the uplink's end + the window delay, on the shared Clock.
 * The concentrator counter (`tmst`) is the clock in µs, so the core's timing
 * is the same as behind a Semtech packet forwarder.
 */
import { DownlinkRefusedError, type ReceivedUplink, type SimulatedGateway } from '../radio/index.js';
import type { LoraNetworkServer } from './network-server.js';
import type { DownlinkPlan, ReceivedFrame } from './types.js';

export interface RadioAttachment {
  /** Stop listening to the gateway. */
  detach(): void;
}

export function attachToRadioGateway(ns: LoraNetworkServer, gateway: SimulatedGateway): RadioAttachment {
  const previous = gateway.onUplink;
  gateway.onUplink = (uplink) => {
    previous?.(uplink);
    const plan = ns.handleFrame(frameOf(uplink));
    if (plan !== undefined) schedule(ns, gateway, plan, uplink.endMs);
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

/** First window the gateway accepts; a refusal (busy, too late) falls back to the next, as TX_ACK does over UDP. */
function schedule(ns: LoraNetworkServer, gateway: SimulatedGateway, plan: DownlinkPlan, uplinkEndMs: number): void {
  const errors: string[] = [];
  for (const window of plan.windows) {
    try {
      gateway.scheduleDownlink({ atMs: uplinkEndMs + window.delayMs, freqHz: window.frequency, sf: window.sf, bw: window.bw, powerDbm: window.powerDbm, payload: plan.phyPayload });
      ns.reportDownlink({ plan, window, errors });
      return;
    } catch (error) {
      errors.push(txAckError(error));
    }
  }
  ns.reportDownlink({ plan, window: undefined, errors });
}

/**
 * The ack service in process, beside the network-server simulator: it hears
 * every `up` event the moment the server accepts the uplink, before the
 * server plans that uplink's receive windows, so a due data-ack rides the
 * very same class A window (as a platform behind The Things Stack's 5 s RX1
 * delay, or one answering inside ChirpStack's downlink-data delay, manages).
 * Used by the fleet simulator and the tests, in virtual time. Runtime-neutral.
 */
import type { UpEvent } from '../lorawan-ns/events.js';
import type { LoraNetworkServer } from '../lorawan-ns/network-server.js';
import { ACK_FPORT, AckPolicy, sequenceOf, type AckPolicyOptions, type FrameVerdict } from './ack-policy.js';

export interface AttachedAckService {
  readonly policy: AckPolicy;
  /** The verdict on an `up` event this service has seen (duplicates carry readings the platform already has). */
  verdictOf(event: UpEvent): FrameVerdict | undefined;
  detach(): void;
}

export function attachAckService(ns: LoraNetworkServer, options: AckPolicyOptions = {}): AttachedAckService {
  const policy = new AckPolicy(options);
  const verdicts = new WeakMap<UpEvent, FrameVerdict>();
  const unsubscribe = ns.onEvent((event) => {
    if (event.type !== 'up') return;
    const sequence = sequenceOf(event.payload);
    if (sequence === undefined) return;
    const devEui = event.device.devEuiHex;
    const verdict = policy.frame(devEui, sequence.seq, sequence.ackRequested, event.timeMs, sequence.carriesAlerts);
    verdicts.set(event, verdict);
    if (verdict.ack !== undefined) ns.enqueueDownlink(devEui, { fPort: ACK_FPORT, data: verdict.ack, confirmed: false });
  });
  return { policy, verdictOf: (event) => verdicts.get(event), detach: unsubscribe };
}

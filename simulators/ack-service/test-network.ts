/**
 * The ack service beside the MAC's small TestNetwork (drivers/lorawan/mac/
 * test-support.ts), for the gateway's core tests on Node and XS: data-acks
 * ride the window of the uplink that made them due. `loseFrames` and
 * `loseAcks` lose the next sequenced frames on the air, or the next data-acks
 * before they are queued, to exercise the gateway's resends.
 */
import type { TestNetwork } from '../../drivers/lorawan/mac/test-support.js';
import { ACK_FPORT, AckPolicy, sequenceOf, type AckPolicyOptions, type FrameVerdict } from './ack-policy.js';

export interface TestNetworkAckService {
  readonly policy: AckPolicy;
  /** Every sequenced frame heard, with the verdict (a duplicate's readings are dropped by a platform). */
  readonly frames: Array<{ atMs: number; fCnt: number; seq: number; ackRequested: boolean } & FrameVerdict>;
  /** data-acks sent, with the clock time of the uplink they answer. */
  readonly acks: Array<{ atMs: number; bytes: Uint8Array }>;
  /** Lose this many of the next sequenced frames (unheard by the network). */
  loseFrames: number;
  /** The sequence numbers of the frames lost that way. */
  readonly lost: number[];
  /** Lose this many of the next data-acks (never sent). */
  loseAcks: number;
}

export function attachAckServiceToTestNetwork(network: TestNetwork, devAddr: number, options: AckPolicyOptions = {}): TestNetworkAckService {
  const service: TestNetworkAckService = { policy: new AckPolicy(options), frames: [], acks: [], loseFrames: 0, lost: [], loseAcks: 0 };
  const previous = network.onData;
  network.onData = (uplink) => {
    if (previous?.(uplink) === false) return false;
    const sequence = uplink.devAddr === devAddr ? sequenceOf(uplink.payload) : undefined;
    if (sequence === undefined) return true;
    if (service.loseFrames > 0) {
      service.loseFrames--;
      service.lost.push(sequence.seq);
      return false;
    }
    const verdict = service.policy.frame(devAddr.toString(16), sequence.seq, sequence.ackRequested, uplink.atMs, sequence.carriesAlerts);
    service.frames.push({ atMs: uplink.atMs, fCnt: uplink.fCnt, ...sequence, ...verdict });
    if (verdict.ack === undefined) return true;
    if (service.loseAcks > 0) service.loseAcks--;
    else {
      network.queue(devAddr, { port: ACK_FPORT, payload: verdict.ack });
      service.acks.push({ atMs: uplink.atMs, bytes: verdict.ack });
    }
    return true;
  };
  return service;
}

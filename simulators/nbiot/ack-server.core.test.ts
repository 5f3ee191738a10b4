/** The ack server's counting mode (keepMessages: false), as long simulated runs use it. */
import { test } from '../../test/kit/core-test.js';
import { AxonAckServer } from './ack-server.js';

function frame(seq: number, alert = false): Uint8Array {
  return Uint8Array.of(0xa1, alert ? 0x81 : 0x01, seq >> 8, seq & 0xff, 1, 42);
}

test('keepMessages false: counts unique messages and alerts, spots repeats by sequence id, keeps nothing', (t) => {
  const counting = new AxonAckServer({ keepMessages: false });
  const keeping = new AxonAckServer();
  const acks: number[] = [];
  for (const server of [counting, keeping]) {
    for (const [seq, alert] of [[1, false], [2, true], [1, false], [65535, false], [65535, false], [3, true]] as const) {
      server.platformHandler(frame(seq, alert), (reply) => acks.push(reply[2] * 256 + reply[3]));
    }
  }
  t.deepEqual([counting.received, counting.alertsReceived, counting.duplicates, counting.messages.length], [4, 2, 2, 0]);
  t.deepEqual([keeping.received, keeping.alertsReceived, keeping.duplicates, keeping.messages.length], [4, 2, 2, 4]);
  t.is(acks.length, 12, 'every data frame, repeat or not, is acknowledged');
});

/**
 * The take-over diagnosis (session-takeover.ts) on the events mqtt.js emits,
 * with a hand-driven clock: what counts as "taken over" and what does not. The
 * real thing, two gateways with one gateway id on Mosquitto, is in
 * firmware/rpi/host/gateway-secrets.test.ts.
 */
import test from 'ava';
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { SESSION_TAKEN_OVER, watchSessionTakeover, type Takeover } from './session-takeover.js';

function watched() {
  const client = new EventEmitter();
  let nowMs = 0;
  const reports: Takeover[] = [];
  watchSessionTakeover(client as unknown as MqttClient, 'axon-gw-1', (why) => reports.push(why), { now: () => nowMs });
  /** The broker accepts a connection, then closes it `afterMs` later (with a network error first when `error`). */
  const session = (afterMs: number, error = false) => {
    client.emit('connect');
    nowMs += afterMs;
    if (error) client.emit('error', new Error('read ECONNRESET'));
    client.emit('close');
    nowMs += 2000; // the reconnect period
  };
  return { client, reports, session };
}

test('closed cleanly within seconds of connecting, twice in a row: reported once, naming the client id and the fix', (t) => {
  const { reports, session } = watched();
  session(3000);
  t.is(reports.length, 0, 'one drop is no pattern');
  session(2500);
  t.is(reports.length, 1);
  t.regex(reports[0].message, /another MQTT client connected with this gateway's client id axon-gw-1 and took its session over/);
  t.regex(reports[0].fix, /give every gateway its own gatewayId/);
  session(2500);
  session(2500);
  t.is(reports.length, 1, 'once per streak, not on every reconnect');
});

test('not a take-over: connections that lasted, network errors, attempts that never connected', (t) => {
  const { client, reports, session } = watched();
  session(3000);
  session(60_000); // lasted: the streak starts over
  session(3000);
  session(3000, true); // a network error: not the broker's doing
  client.emit('close'); // a failed attempt: no connect before it
  session(3000);
  t.is(reports.length, 0);
});

test('MQTT 5: DISCONNECT with reason code 0x8E is reported at once', (t) => {
  const { client, reports } = watched();
  client.emit('connect');
  client.emit('disconnect', { cmd: 'disconnect', reasonCode: SESSION_TAKEN_OVER });
  t.is(reports.length, 1);
  t.regex(reports[0].message, /reason code 0x8E/);
});

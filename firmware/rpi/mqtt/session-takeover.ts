/**
 * Two MQTT clients with one client id (two gateways given the same gatewayId,
 * a cloned SD card) take the session from each other: the broker closes the
 * older connection as soon as the newer one connects (MQTT 3.1.1 §3.1.4
 * step 2), and each reconnects a moment later and knocks the other off. All
 * the log showed was "offline, reconnecting", every few seconds, forever.
 *
 * MQTT 5 brokers say so: DISCONNECT with reason code 0x8E "session taken
 * over". MQTT 3.1.1 brokers just close the socket, so the pattern gives it
 * away: connections the broker accepted and then closed cleanly (no network
 * error) within seconds, several times in a row. A network fault shows up as
 * an error or as a connection that does not come back; a broker restart as a
 * refused reconnect.
 */
import type { MqttClient } from 'mqtt';

/** MQTT 5 DISCONNECT reason code "session taken over". */
export const SESSION_TAKEN_OVER = 0x8e;

/** Why the connection keeps dropping, and what to do. */
export interface Takeover {
  message: string;
  fix: string;
}

export interface TakeoverWatchOptions {
  /** A connection closed this soon after the broker accepted it counts as taken over, ms (default 10000). */
  shortMs?: number;
  /** That many such closes in a row make a diagnosis (default 2). */
  repeats?: number;
  now?: () => number;
}

/** Watch `client` for its session being taken over by another client with its client id. */
export function watchSessionTakeover(client: MqttClient, clientId: string, onTakeover: (why: Takeover) => void, options: TakeoverWatchOptions = {}): void {
  const now = options.now ?? Date.now;
  const shortMs = options.shortMs ?? 10_000;
  const repeats = options.repeats ?? 2;
  let connectedAt: number | undefined;
  let networkError = false;
  let streak = 0;
  const report = (how: string) => {
    // Called once per streak of take-overs, not on every reconnect.
    onTakeover({
      message: `another MQTT client connected with this gateway's client id ${clientId} and took its session over (${how}); the two keep knocking each other off the broker`,
      fix: `give every gateway its own gatewayId in its host config (the client id is axon-<gatewayId>); the broker's log names the other client's address (Mosquitto: "Client ${clientId} already connected, closing old connection")`,
    });
  };
  client.on('connect', () => {
    connectedAt = now();
    networkError = false;
  });
  client.on('error', () => (networkError = true));
  client.on('disconnect', (packet) => {
    if (packet.reasonCode === SESSION_TAKEN_OVER) report('the broker said so: MQTT 5 reason code 0x8E, session taken over');
  });
  client.on('close', () => {
    if (connectedAt === undefined) return; // a connection attempt that failed: no session to lose
    const lived = now() - connectedAt;
    connectedAt = undefined;
    streak = !networkError && lived < shortMs ? streak + 1 : 0;
    if (streak === repeats) report(`the broker closed the connection within ${Math.round(shortMs / 1000)} s of accepting it, ${repeats} times in a row, without a network error`);
  });
}

/**
 * The network server's MQTT integration: every device event is published
 * ChirpStack-style (chirpstack-json.ts), and `command/down` messages queue
 * downlinks. QoS 1 both ways; close() waits for publishes still in flight, so
 * a test or a Ctrl-C does not lose the last events.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { COMMAND_DOWN_FILTER, parseDownCommand, toChirpStack } from './chirpstack-json.js';
import type { LoraNetworkServer } from './network-server.js';

export interface MqttPublisherOptions {
  url: string;
  clientId?: string;
  username?: string;
  password?: string;
  /** How long to wait for the broker, ms (default 10000). */
  connectTimeoutMs?: number;
  /** Problems that have no device topic (a bad command/down message): printed by the CLI. */
  onProblem?: (message: string) => void;
}

export class MqttPublisher {
  readonly #client: MqttClient;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #unsubscribe: () => void;
  published = 0;
  downlinksQueued = 0;

  private constructor(client: MqttClient, ns: LoraNetworkServer, options: MqttPublisherOptions) {
    this.#client = client;
    const problem = options.onProblem ?? (() => undefined);
    this.#unsubscribe = ns.onEvent((event) => {
      const message = toChirpStack(event);
      if (message !== undefined) this.#publish(message.topic, JSON.stringify(message.body), problem);
    });
    client.on('message', (topic, payload) => {
      try {
        const command = parseDownCommand(topic, payload);
        const device = ns.registry.byDevEui(command.devEui);
        if (device === undefined) throw new RangeError(`no device with DevEUI ${command.devEui}`);
        if (device.config.application !== command.application) throw new RangeError(`device ${command.devEui} belongs to application ${device.config.application}, not ${command.application}`);
        ns.enqueueDownlink(command.devEui, command);
        this.downlinksQueued++;
      } catch (error) {
        problem(`ignored ${topic}: ${(error as Error).message}`);
      }
    });
  }

  static async connect(ns: LoraNetworkServer, options: MqttPublisherOptions): Promise<MqttPublisher> {
    const client = mqtt.connect(options.url, {
      clientId: options.clientId ?? `axon-ns-sim-${process.pid}-${Date.now().toString(36)}`,
      username: options.username,
      password: options.password,
      clean: true,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      reconnectPeriod: 1000,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        setTimeout(() => reject(new Error(`no MQTT connection to ${options.url} within ${options.connectTimeoutMs ?? 10_000} ms`)), options.connectTimeoutMs ?? 10_000).unref();
      });
      await client.subscribeAsync(COMMAND_DOWN_FILTER, { qos: 1 });
    } catch (error) {
      client.end(true);
      throw error;
    }
    // Re-subscribe after a reconnect: the session is clean.
    client.on('connect', () => void client.subscribeAsync(COMMAND_DOWN_FILTER, { qos: 1 }).catch(() => undefined));
    return new MqttPublisher(client, ns, options);
  }

  #publish(topic: string, body: string, problem: (message: string) => void): void {
    const done: Promise<void> = this.#client
      .publishAsync(topic, body, { qos: 1 })
      .then(() => {
        this.published++;
      })
      .catch((error: Error) => problem(`publish to ${topic} failed: ${error.message}`))
      .finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    await Promise.all([...this.#inFlight]);
    await this.#client.endAsync();
  }
}

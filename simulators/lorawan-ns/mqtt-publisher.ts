/**
 * The network server's MQTT integration: every device event is published as
 * ChirpStack v4 publishes it (chirpstack-json.ts), and `command/down`
 * messages queue downlinks; a `{object}` command goes through the device
 * profile's codec (encodeDownlink), and a codec failure is a DOWNLINK_CODEC
 * log event on the device's topic. QoS 1 both ways; close() waits for
 * publishes still in flight, so a test or a Ctrl-C does not lose the last
 * events.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { COMMAND_DOWN_FILTER, deviceIdentity, parseDownCommand, toChirpStack, type DownCommand } from './chirpstack-json.js';
import { newUuid } from './identity.js';
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
      const message = toChirpStack(event, ns.network);
      if (message !== undefined) this.#publish(message.topic, JSON.stringify(message.body), problem);
    });
    client.on('message', (topic, payload) => {
      try {
        this.#command(ns, parseDownCommand(topic, payload));
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

  /** Queue a command's downlink, after the codec when it carries an object (ChirpStack's handle_down_command). */
  #command(ns: LoraNetworkServer, command: DownCommand): void {
    const device = ns.registry.byDevEui(command.devEui);
    if (device === undefined) throw new RangeError(`no device with DevEUI ${command.devEui}`);
    const applicationId = deviceIdentity(device.config).applicationId;
    if (applicationId !== command.applicationId) throw new RangeError(`Application ID from topic does not match application ID from device (${command.devEui} belongs to ${applicationId}, application ${device.config.application})`);
    const id = command.id ?? newUuid();
    let { fPort, data } = command;
    if (command.object !== undefined) {
      const codec = ns.codecOf(device);
      const encoded = codec === undefined ? { error: 'the device profile has no codec (give the application a channel table)' } : codec.encodeDownlink({ data: command.object, fPort });
      if ('error' in encoded) {
        ns.logForDevice(command.devEui, 'ERROR', 'DOWNLINK_CODEC', encoded.error, { queue_item_id: id });
        return;
      }
      ({ fPort, bytes: data } = encoded.ok);
    }
    ns.enqueueDownlink(command.devEui, { id, fPort, data: data ?? new Uint8Array(0), confirmed: command.confirmed });
    this.downlinksQueued++;
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

/**
 * The reference ack service over a network server's MQTT integration
 * (ChirpStack v4's, as `axon ns sim` and real ChirpStack publish): it
 * subscribes to `application/<application ID>/device/+/event/up`, reads the
 * sequence number straight from each uplink's `data` (no codec needed), and
 * publishes the data-acks the policy asks for to
 * `…/device/<devEUI>/command/down` as DownlinkCommand JSON ({devEui,
 * confirmed, fPort, data}). The network server sends each in the device's
 * next receive window.
 *
 * This is the file a platform team copies: ~100 lines on top of ack-policy.ts.
 * A duplicate verdict is reported (onFrame) so the platform's own ingestion
 * can drop readings it already stored.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { ACK_FPORT, AckPolicy, sequenceOf, type AckPolicyOptions, type FrameVerdict } from './ack-policy.js';

export interface MqttAckServiceOptions extends AckPolicyOptions {
  url: string;
  /** ChirpStack application ID (the UUID in the topics); default '+', every application. */
  application?: string;
  username?: string;
  password?: string;
  clientId?: string;
  /** How long to wait for the broker, ms (default 10000). */
  connectTimeoutMs?: number;
  /** Every sequenced frame with its verdict. */
  onFrame?: (frame: { application: string; devEui: string; seq: number; ackRequested: boolean } & FrameVerdict) => void;
  /** Messages that are not what the service expects (not JSON, no data). */
  onProblem?: (message: string) => void;
}

const UP_TOPIC = /^application\/([^/]+)\/device\/([0-9A-Fa-f]{16})\/event\/up$/;

export class MqttAckService {
  readonly policy: AckPolicy;
  readonly #client: MqttClient;
  acksPublished = 0;

  private constructor(client: MqttClient, options: MqttAckServiceOptions) {
    this.#client = client;
    this.policy = new AckPolicy(options);
    client.on('message', (topic, payload) => {
      const match = UP_TOPIC.exec(topic);
      if (match === null) return;
      const [, application, devEuiRaw] = match;
      const devEui = devEuiRaw.toLowerCase();
      let body: { data?: unknown; time?: unknown };
      try {
        body = JSON.parse(payload.toString('utf8')) as { data?: unknown; time?: unknown };
      } catch {
        options.onProblem?.(`${topic}: the body is not JSON`);
        return;
      }
      if (typeof body.data !== 'string') return; // an empty frame, or MAC commands only
      const sequence = sequenceOf(new Uint8Array(Buffer.from(body.data, 'base64')));
      if (sequence === undefined) return; // alerts and status are not sequenced
      const at = typeof body.time === 'string' ? Date.parse(body.time) : Number.NaN;
      const verdict = this.policy.frame(devEui, sequence.seq, sequence.ackRequested, Number.isFinite(at) ? at : Date.now(), sequence.carriesAlerts);
      options.onFrame?.({ application, devEui, ...sequence, ...verdict });
      if (verdict.ack === undefined) return;
      const down = { devEui, confirmed: false, fPort: ACK_FPORT, data: Buffer.from(verdict.ack).toString('base64') };
      client.publishAsync(`application/${application}/device/${devEui}/command/down`, JSON.stringify(down), { qos: 1 }).then(
        () => void this.acksPublished++,
        (error: Error) => options.onProblem?.(`publishing the data-ack for ${devEui} failed: ${error.message}`),
      );
    });
  }

  static async connect(options: MqttAckServiceOptions): Promise<MqttAckService> {
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const client = mqtt.connect(options.url, {
      clientId: options.clientId ?? `axon-ack-service-${process.pid}-${Date.now().toString(36)}`,
      username: options.username,
      password: options.password,
      clean: true,
      connectTimeout: timeoutMs,
      reconnectPeriod: 1000,
    });
    const filter = `application/${options.application ?? '+'}/device/+/event/up`;
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        setTimeout(() => reject(new Error(`no MQTT connection to ${options.url} within ${timeoutMs} ms`)), timeoutMs).unref();
      });
      await client.subscribeAsync(filter, { qos: 1 });
    } catch (error) {
      client.end(true);
      throw error;
    }
    client.on('connect', () => void client.subscribeAsync(filter, { qos: 1 }).catch(() => undefined));
    return new MqttAckService(client, options);
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }
}

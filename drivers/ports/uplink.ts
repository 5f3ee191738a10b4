/**
 * The pipeline's view of an uplink (LoRaWAN MAC, NB-IoT modem, MQTT): how big a
 * message may be right now, send with acknowledgement, and downlinks.
 */
export interface UplinkMessage {
  payload: Uint8Array;
  /** Application port (LoRaWAN FPort; a topic suffix or CoAP path on IP uplinks). */
  port: number;
  /** Alerts go first and are sent confirmed (unless `sequenced`). */
  priority: 'alert' | 'data';
  /**
   * An alert the platform acknowledges (it carries an application sequence
   * number, docs/app-ack.md): an uplink whose `alertDelivery` is
   * 'application' sends it unconfirmed. Alerts without it stay confirmed.
   */
  sequenced?: boolean;
}

export interface UplinkPort {
  /**
   * What a resolved send() proves. 'transport' (the default): the far side has
   * it. 'application': alerts are acknowledged, but data is only on the air;
   * the gateway keeps data frames until the platform's data-ack (docs/app-ack.md).
   */
  readonly delivery?: 'transport' | 'application';
  /**
   * What a resolved send() of an alert proves. 'transport' (the default): the
   * far side has it. 'application': it is on the air (sent unconfirmed,
   * repeated); the gateway keeps it until the platform's data-ack, like data.
   * Only meaningful with `delivery: 'application'`.
   */
  readonly alertDelivery?: 'transport' | 'application';
  /** Largest application payload the uplink allows right now (e.g. 51 bytes at EU868 DR0; changes with ADR). */
  maxPayloadBytes(): number;
  /**
   * How long until a message of `payloadBytes` could go on the air (duty
   * cycle), ms. The sender waits that long before it hands over data or a
   * status, so an alert stored meanwhile goes first. Absent: always 0.
   */
  readyInMs?(payloadBytes: number): number;
  /** Resolves once the far side acknowledged receipt (at-least-once delivery); rejects when it could not. */
  send(message: UplinkMessage): Promise<void>;
  /** Downlinks (configuration, alarm acknowledgements). */
  onDownlink: ((message: { port: number; payload: Uint8Array }) => void) | undefined;
}

/** Put `entry` in a send queue: an alert goes ahead of waiting data, behind earlier alerts. */
export function enqueueByPriority<T extends { message: UplinkMessage }>(queue: T[], entry: T): void {
  const at = entry.message.priority === 'alert' ? queue.findIndex((w) => w.message.priority !== 'alert') : -1;
  if (at < 0) queue.push(entry);
  else queue.splice(at, 0, entry);
}

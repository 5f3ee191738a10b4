/**
 * Axon's MQTT topic scheme (documented in docs/mqtt.md). One subtree per
 * gateway so a broker ACL can confine each gateway's credentials to its own:
 *
 *   <prefix>/<gateway>/up/<port>      uplink messages; <port> is the uplink port number
 *                                     (the batch codec's data and alert ports)
 *   <prefix>/<gateway>/status         "online" / "offline" (retained; "offline" is the last will)
 *   <prefix>/<gateway>/down/<port>    downlinks to the gateway (configuration, alarm acknowledgements)
 */
export interface TopicScheme {
  up(port: number): string;
  /** Every uplink of the gateway (what a platform subscribes to). */
  upFilter: string;
  status: string;
  downFilter: string;
  /** The port of a downlink topic, or undefined when the topic is not one. */
  parseDown(topic: string): number | undefined;
}

const GATEWAY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function topicScheme(prefix: string, gateway: string): TopicScheme {
  if (!GATEWAY_ID.test(gateway)) {
    throw new RangeError(`gateway id '${gateway}' must be 1-64 letters, digits, '-' or '_' (it becomes an MQTT topic level)`);
  }
  if (/[#+]/.test(prefix)) throw new RangeError(`topic prefix '${prefix}' must not contain MQTT wildcards (# or +)`);
  const base = `${prefix}/${gateway}`;
  return {
    up: (port) => `${base}/up/${port}`,
    upFilter: `${base}/up/+`,
    status: `${base}/status`,
    downFilter: `${base}/down/+`,
    parseDown(topic) {
      if (!topic.startsWith(`${base}/down/`)) return undefined;
      const port = Number(topic.slice(base.length + 6));
      return Number.isInteger(port) && port >= 0 && port <= 255 ? port : undefined;
    },
  };
}

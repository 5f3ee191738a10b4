/**
 * Axon's FPort plan, shared by the gateway firmware, the MAC and the network
 * side (codecs route on it). Port 0 carries only MAC commands (encrypted with
 * NwkSKey); 1–223 are application ports; 224 is the LoRaWAN test port and
 * 225–255 are reserved, so the MAC refuses them for application data.
 */
export const FPORT = {
  /** MAC commands only (FRMPayload encrypted with NwkSKey). */
  mac: 0,
  /** Batched readings (drivers/batch): unconfirmed. */
  data: 1,
  /** Alerts: sent confirmed, retried until acknowledged. */
  alert: 2,
  /** Gateway status (battery, uptime, link figures): unconfirmed. */
  status: 3,
  /** Downlink: configuration and alarm acknowledgements from the cloud. */
  config: 10,
} as const;

export const MIN_APP_FPORT = 1;
export const MAX_APP_FPORT = 223;

export function isApplicationPort(port: number): boolean {
  return Number.isInteger(port) && port >= MIN_APP_FPORT && port <= MAX_APP_FPORT;
}

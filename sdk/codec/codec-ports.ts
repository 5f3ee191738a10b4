/**
 * The LoRaWAN FPorts a site's gateways use, which a generated codec checks:
 * readings and status on `fPortData`, alerts on `fPortAlert` (the site file's
 * uplink block, defaults as the gateway's), downlinks on FPort 10
 * (drivers/lorawan/mac/fport.ts, docs/app-ack.md). Runtime-neutral.
 */
import { GATEWAY_DEFAULTS } from '../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { FPORT } from '../../drivers/lorawan/mac/fport.js';

export interface CodecPorts {
  data: number;
  alert: number;
  downlink: number;
}

export function codecPorts(uplink?: SiteFile['uplink']): CodecPorts {
  const lorawan = uplink?.kind === 'lorawan' ? uplink : undefined;
  return { data: lorawan?.fPortData ?? GATEWAY_DEFAULTS.dataPort, alert: lorawan?.fPortAlert ?? GATEWAY_DEFAULTS.alertPort, downlink: FPORT.config };
}

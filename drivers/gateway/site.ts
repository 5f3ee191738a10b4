/**
 * Site file: one gateway's installation — its buses, the devices on each, the
 * alert rules, local outputs and the uplink. JSON in manifests/sites/*.json,
 * validated on the host (sdk/site) against manifests/schema/site.schema.json;
 * the core trusts this shape.
 */
import type { Parity } from '../ports/byte-stream.js';
import type { AlertRuleConfig } from '../rules/config.js';

export interface SiteFile {
  $schema?: string;
  id: string;
  name: string;
  description?: string;
  buses: BusConfig[];
  rules?: AlertRuleConfig[];
  outputs?: OutputConfig[];
  uplink: UplinkConfig;
}

export interface BusConfig {
  /** Stable id, e.g. "rs485-1". */
  id: string;
  /** Serial device path (/dev/ttyUSB0, /dev/serial/by-id/…), tcp://host:port, or sim:<name> for a simulated bus. */
  port: string;
  baud: number;
  parity: Parity;
  stopBits: 1 | 2;
  dataBits?: 7 | 8;
  /** Typical slave turnaround added to each request's wire time by the planner, ms (default 10). */
  turnaroundMs?: number;
  /** Default response timeout for devices on this bus, ms. */
  timeoutMs?: number;
  /** Read coalescing limits for this bus. */
  plan?: { maxGap?: number; maxRegisters?: number };
  devices: SiteDevice[];
}

export interface SiteDevice {
  /** Unique within the site; rules and uplink channels refer to it. */
  id: string;
  label?: string;
  /** Manifest id (file name without .json in manifests/devices/). */
  manifest: string;
  /** Modbus unit id or meter address. */
  address: number | string;
  /** Overrides the manifest's poll period. */
  pollPeriodS?: number;
  /** Faster polling while a condition holds (e.g. water present). */
  adaptive?: { point: string; above?: number; below?: number; pollPeriodS: number };
  /** Lower runs first within a cycle; alarm-class devices default to 0, others to 10. */
  priority?: number;
  timeoutMs?: number;
  retries?: number;
  /** Per-point overrides of the manifest. */
  points?: Record<string, { min?: number; max?: number; pollPeriodS?: number; disabled?: boolean }>;
}

export interface OutputConfig {
  id: string;
  kind: 'relay' | 'buzzer' | 'led';
  /** Host pin name or number (GPIO on the Pi, ESP32 pin). */
  pin?: number | string;
  label?: string;
}

export type Region = 'EU868' | 'CN470' | 'AS923' | 'US915';

export type UplinkConfig =
  | { kind: 'lorawan'; region: Region; activation: 'otaa' | 'abp'; dataRate?: number; adr?: boolean; fPortData?: number; fPortAlert?: number }
  | { kind: 'nbiot'; transport: 'udp' | 'coap' | 'mqtt'; host?: string; port?: number }
  | { kind: 'mqtt'; url: string; topicPrefix?: string; qos?: 0 | 1 }
  | { kind: 'none' };

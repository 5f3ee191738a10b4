/**
 * The JSON of `GET /api/status` (docs/rpi-gateway.md, "Status page"): what
 * the page renders, what `axon gateway status` prints. Field names are an
 * interface: tools parse them.
 */
import type { PollFailureReason } from '../../../../drivers/gateway/poll-failure.js';

export interface StatusPoint {
  id: string;
  name: string;
  /** Engineering unit ('' when the point has none). */
  unit: string;
  /** The last poll read it. */
  ok: boolean;
  /** The value read (when ok), or the last good one (stale) when the last poll failed. */
  value?: number | boolean;
  stale?: boolean;
  error?: { reason: PollFailureReason; code: string; message: string };
}

export interface StatusDevice {
  id: string;
  label?: string;
  bus: string;
  manifest: string;
  /** The manifest's name of the device model. */
  model?: string;
  /** Every point of the last poll was read. */
  ok: boolean;
  /** ISO time of the last poll, and how long it took. */
  lastPoll?: string;
  pollMs?: number;
  points: StatusPoint[];
}

export interface StatusBus {
  id: string;
  port: string;
  /** "9600 8N1" */
  line: string;
  devices: string[];
  polls: number;
  /** Polls in which no point could be read. */
  failedPolls: number;
  /** Polls in which some points could not be read. */
  partialPolls: number;
  /** Time the bus spent on polls (wire time, timeouts, retries), seconds since start. */
  busySeconds: number;
  /** Share of the last minute the bus spent on polls, 0–1. */
  utilisation: number;
  /** Polls with failed points, by reason (a poll with two reasons counts under both). */
  failures: Partial<Record<PollFailureReason, number>>;
  lastFailure?: { device: string; at: string; text: string };
}

export interface StatusAlarm {
  rule: string;
  device: string;
  point?: string;
  level: 'warning' | 'critical';
  acknowledged: boolean;
  /** When this gateway run saw it raised (absent for an alarm restored from before a restart). */
  raisedAt?: string;
}

export interface GatewayStatus {
  gateway: { id: string; site: { id: string; name: string }; startedAt: string; now: string; uptimeS: number };
  uplink: {
    kind: string;
    describe: string;
    /** The sender: idle (nothing waiting), sending, backoff (waiting to retry), stopped. */
    state: string;
    /** MQTT: whether the broker connection is up. */
    connected?: boolean;
    retryInMs?: number;
    lastError?: string;
    framesSent: number;
    alertsSent: number;
    statusSent: number;
    bytesSent: number;
    sendFailures: number;
  };
  /** The store-and-forward backlog. */
  store: { pendingAlerts: number; pendingReadings: number; droppedReadings: number; usedBytes: number; capacityBytes: number; queuedSamples: number };
  counters: { polls: number; failedPolls: number; samples: number; alertEvents: number; refusedDownlinks: number };
  alarms: StatusAlarm[];
  buses: StatusBus[];
  devices: StatusDevice[];
}

/**
 * The counts of a run of the ESP32 harness (test-host/harness.ts `summary`)
 * as text: the same lines whichever engine ran it (xsnap, or Moddable's lin
 * build in tools/esp32-sim.ts). Counts only, so the reply stays a few hundred
 * bytes however long the run: the full `report` (every trace line, pin write
 * and AT command) is for the short xsnap tests.
 */
export interface HarnessSummary {
  nowMs: number;
  /** trace() lines the firmware printed. */
  traceLines: number;
  uarts: Record<string, { lost: number }>;
  stats?: { polls: number; failedPolls: number; samples: number; alerts: number; alertsSent: number; framesSent: number; statusSent: number; sendFailures: number; store: { pendingAlerts: number; pendingReadings: number } };
  /** UDP datagrams the modem sent. */
  datagrams: number;
  /** Unique messages acknowledged at the server, and of them alerts. */
  messages: number;
  alertMessages: number;
  duplicates: number;
  preloadViolations: number;
  /** LoRaWAN sites: what the test network heard from the board's radio (test-host/radio-wiring.ts). */
  lorawan?: { uplinks: number; joinRequests: number; busyViolations: number; earliestRxOffsetMs: number };
}

export function summarizeReport(report: HarnessSummary): string[] {
  const s = report.stats;
  const hours = report.nowMs / 3_600_000;
  const lost = Object.entries(report.uarts).map(([port, u]) => `UART${port} ${u.lost}`).join(', ');
  return [
    `virtual time: ${hours.toFixed(2)} h`,
    `polls: ${s?.polls ?? 0}, failed: ${s?.failedPolls ?? 0}, samples: ${s?.samples ?? 0}`,
    `alerts: ${s?.alerts ?? 0} raised or cleared, ${s?.alertsSent ?? 0} sent`,
    `uplink: ${s?.framesSent ?? 0} batch frames, ${s?.statusSent ?? 0} status messages, ${report.datagrams} datagrams, ${report.messages} acknowledged at the server (${report.alertMessages} alerts, ${report.duplicates} duplicates), ${s?.sendFailures ?? 0} send failures`,
    `store: ${s?.store.pendingReadings ?? 0} readings and ${s?.store.pendingAlerts ?? 0} alerts pending`,
    `bytes lost to DE timing: ${lost}`,
    `trace lines: ${report.traceLines}`,
    `preload violations: ${report.preloadViolations}`,
    ...(report.lorawan === undefined ? [] : [
      `LoRaWAN: ${report.lorawan.joinRequests} join requests, ${report.lorawan.uplinks} frames at the network, ${report.lorawan.busyViolations} BUSY violations, receive windows ${report.lorawan.earliestRxOffsetMs.toFixed(1)} ms early at most`,
    ]),
  ];
}

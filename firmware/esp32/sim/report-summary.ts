/**
 * The run report of the ESP32 harness (test-host/harness.ts `report`) as text:
 * the same lines whichever engine ran it (xsnap in main-xs.test.ts, Moddable's
 * lin build in tools/esp32-sim.ts).
 */
export interface HarnessReport {
  nowMs: number;
  trace: string[];
  uarts: Record<string, { lost: number }>;
  stats?: { polls: number; failedPolls: number; samples: number; alerts: number; alertsSent: number; framesSent: number; statusSent: number; sendFailures: number; store: { pendingAlerts: number; pendingReadings: number } };
  datagrams: unknown[];
  messages: Array<{ alert: boolean }>;
  duplicates: number;
  preloadViolations: unknown[];
  /** LoRaWAN sites: what the test network heard from the board's radio (test-host/radio-wiring.ts). */
  lorawan?: { uplinks: unknown[]; joinRequests: number; busyViolations: number; rxOffsets: Array<{ offsetMs: number }> };
}

export function summarizeReport(report: HarnessReport): string[] {
  const s = report.stats;
  const hours = report.nowMs / 3_600_000;
  const lost = Object.entries(report.uarts).map(([port, u]) => `UART${port} ${u.lost}`).join(', ');
  return [
    `virtual time: ${hours.toFixed(2)} h`,
    `polls: ${s?.polls ?? 0}, failed: ${s?.failedPolls ?? 0}, samples: ${s?.samples ?? 0}`,
    `alerts: ${s?.alerts ?? 0} raised or cleared, ${s?.alertsSent ?? 0} sent`,
    `uplink: ${s?.framesSent ?? 0} batch frames, ${s?.statusSent ?? 0} status messages, ${report.datagrams.length} datagrams, ${report.messages.length} acknowledged at the server (${report.duplicates} duplicates), ${s?.sendFailures ?? 0} send failures`,
    `store: ${s?.store.pendingReadings ?? 0} readings and ${s?.store.pendingAlerts ?? 0} alerts pending`,
    `bytes lost to DE timing: ${lost}`,
    `preload violations: ${report.preloadViolations.length}`,
    ...(report.lorawan === undefined ? [] : [
      `LoRaWAN: ${report.lorawan.joinRequests} join requests, ${report.lorawan.uplinks.length} frames at the network, ${report.lorawan.busyViolations} BUSY violations, receive windows ${Math.min(0, ...report.lorawan.rxOffsets.map((o) => o.offsetMs)).toFixed(1)} ms early at most`,
    ]),
  ];
}

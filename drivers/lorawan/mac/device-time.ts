/**
 * DeviceTimeAns carries GPS time (seconds since 1980-01-06T00:00:00Z plus
 * 1/256 s) as of the end of the uplink that asked. GPS time does not count
 * leap seconds; UTC does: GPS − UTC = 18 s since 2017-01-01, and no leap
 * second has been announced since. Update GPS_UTC_LEAP_SECONDS if the IERS
 * announces one.
 */
export const GPS_EPOCH_UNIX_MS = 315_964_800_000;
export const GPS_UTC_LEAP_SECONDS = 18;

export function gpsToUnixMs(gpsSeconds: number, fraction: number): number {
  return GPS_EPOCH_UNIX_MS + (gpsSeconds - GPS_UTC_LEAP_SECONDS) * 1000 + (fraction * 1000) / 256;
}

/** Network side (tests, simulators): GPS seconds and 1/256 fraction for a Unix time. */
export function unixMsToGps(unixMs: number): { gpsSeconds: number; fraction: number } {
  const gpsMs = unixMs - GPS_EPOCH_UNIX_MS + GPS_UTC_LEAP_SECONDS * 1000;
  const gpsSeconds = Math.floor(gpsMs / 1000);
  return { gpsSeconds, fraction: Math.min(255, Math.round(((gpsMs - gpsSeconds * 1000) * 256) / 1000)) };
}

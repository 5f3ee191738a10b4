/**
 * Wall time from the NB-IoT network. The ESP32 has no battery-backed clock and
 * this firmware no Wi-Fi for SNTP, so Date starts at 1970 on every boot. A
 * BC28/BC95 learns the time from the network (NITZ) when it attaches and
 * reports it with AT+CCLK?: "+CCLK:26/01/01,00:00:10+32", yy/MM/dd,hh:mm:ss
 * and the zone in quarter hours. Quectel documents the BC95/BC28 time as UTC
 * with the zone for information, which is how it is read here (3GPP 27.007
 * calls it local time; check a module against a known UTC time before trusting
 * timestamps from a new firmware).
 */
import type { NbIotModem } from '../../drivers/nbiot/modem.js';

/** Before NITZ the module reports its power-on default (1970, 2000 or similar): not a time to set. */
const EARLIEST_PLAUSIBLE_MS = Date.UTC(2024, 0, 1);

/** Unix ms of a +CCLK reply, or undefined when it holds no plausible time. */
export function parseCclk(lines: readonly string[]): number | undefined {
  for (const line of lines) {
    const m = /(\d{2})\/(\d{2})\/(\d{2}),(\d{2}):(\d{2}):(\d{2})/.exec(line);
    if (m === null) continue;
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
    // Two-digit years: 70–99 are the 1900s (a module's 1970 default), the rest 2000–2069.
    const ms = Date.UTC(year >= 70 ? 1900 + year : 2000 + year, month - 1, day, hour, minute, second);
    return Number.isFinite(ms) && ms >= EARLIEST_PLAUSIBLE_MS ? ms : undefined;
  }
  return undefined;
}

/** Ask the attached modem for the network time; undefined when it has none (no NITZ from this cell yet). */
export async function networkTimeMs(modem: NbIotModem): Promise<number | undefined> {
  const reply = await modem.command('AT+CCLK?');
  return parseCclk(reply.lines);
}

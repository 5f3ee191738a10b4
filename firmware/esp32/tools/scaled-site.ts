/**
 * A larger site for measuring the firmware: the ESP32 demo site's RS-485 bus
 * grown to `devices` devices by repeating its devices in order (a copy gets the
 * id `<id>-<n>` and the next free bus address) together with the rules that
 * watch them, so each copy is polled, checked and reported like its original.
 */
import { readFileSync } from 'node:fs';

interface SiteDevice {
  id: string;
  address: number | string;
  [key: string]: unknown;
}
interface SiteRule {
  id: string;
  device?: string;
  [key: string]: unknown;
}
interface SiteFile {
  buses: Array<{ devices: SiteDevice[]; [key: string]: unknown }>;
  rules?: SiteRule[];
  [key: string]: unknown;
}

/** The next address of the same kind not yet on the bus: Modbus unit ids count up; DL/T 645 addresses are 12 decimal digits. */
function nextAddress(original: number | string, used: Set<string>): number | string {
  for (let candidate = typeof original === 'number' ? original : Number(original); ; candidate++) {
    const address = typeof original === 'number' ? candidate : String(candidate).padStart(original.length, '0');
    if (typeof address === 'number' && address > 247) throw new Error('scaledSite: more Modbus devices than unit ids');
    if (!used.has(String(address))) return address;
  }
}

export function scaledSite(sitePath: string, devices: number): SiteFile {
  const site = JSON.parse(readFileSync(sitePath, 'utf8')) as SiteFile;
  const bus = site.buses[0];
  const originals = [...bus.devices];
  const used = new Set(originals.map((d) => String(d.address)));
  const rules = site.rules ?? [];
  const originalRules = [...rules];
  for (let i = 0; bus.devices.length < devices; i++) {
    const source = originals[i % originals.length];
    const copy = Math.floor(i / originals.length) + 2;
    const id = `${source.id}-${copy}`;
    const address = nextAddress(source.address, used);
    used.add(String(address));
    bus.devices.push({ ...source, id, address, label: `${String(source.label ?? source.id)} (${copy})` });
    for (const rule of originalRules) if (rule.device === source.id) rules.push({ ...rule, id: `${rule.id}-${copy}`, device: id });
  }
  return site;
}

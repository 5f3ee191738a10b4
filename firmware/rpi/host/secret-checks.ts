/**
 * Warnings about how this gateway keeps and sends its secrets: a password in
 * a URL, a password crossing the network in clear text, a password or key
 * file other users can read. They do not stop the gateway (a site may be on
 * a closed network, a file may be fixed later), but `check` and `run` both
 * print them, with the command that fixes each.
 */
import { statSync } from 'node:fs';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { urlPassword } from '../mqtt/redact-credentials.js';
import type { HostConfig, HostProblem } from './host-config.js';

/** The broker URL the MQTT uplink connects to, and whether the host config set it (else the site file). */
export function brokerUrlOf(site: SiteFile, config: HostConfig): { url: string; fromConfig: boolean; siteUrl: string } {
  const siteUrl = site.uplink.kind === 'mqtt' ? site.uplink.url : '';
  return config.mqtt?.url === undefined ? { url: siteUrl, fromConfig: false, siteUrl } : { url: config.mqtt.url, fromConfig: true, siteUrl };
}

/** Group and others may read it: the mode bits 0o044. */
function modeLetsOthersRead(file: string): string | undefined {
  try {
    const mode = statSync(file).mode & 0o777;
    return (mode & 0o044) === 0 ? undefined : mode.toString(8).padStart(4, '0');
  } catch {
    return undefined; // unreadable or missing: a refusal says so
  }
}

export function secretWarnings(site: SiteFile, config: HostConfig, files: { siteFile: string; configFile: string }): HostProblem[] {
  const warnings: HostProblem[] = [];
  const warn = (file: string, path: string, message: string, fix: string) => warnings.push({ file, path, message, fix });
  const m = config.mqtt ?? {};
  const inlinePassword = (site.uplink.kind === 'mqtt' && m.password !== undefined) || (site.uplink.kind === 'nbiot' && config.modem?.mqtt?.password !== undefined);
  const statusToken = config.status !== false && config.status?.token !== undefined;
  if (inlinePassword || statusToken) {
    const mode = modeLetsOthersRead(files.configFile);
    const what = inlinePassword ? 'a password' : "the status page's token";
    if (mode !== undefined) warn(files.configFile, '$', `the host config holds ${what} and other users may read it (mode ${mode})`, `chmod 600 ${files.configFile} (owned by the gateway user)${inlinePassword ? ', or move the password to mqtt.passwordFile' : ''}`);
  }
  if (site.uplink.kind !== 'mqtt') return warnings;

  const broker = brokerUrlOf(site, config);
  const [urlFile, urlPath] = broker.fromConfig ? [files.configFile, '$.mqtt.url'] : [files.siteFile, '$.uplink.url'];
  const inUrl = urlPassword(broker.url);
  if (inUrl !== undefined) {
    warn(urlFile, urlPath, 'the broker URL carries a password (the gateway never prints it, but whoever reads this file reads it)', 'move the password to mqtt.passwordFile (mode 0600) in the host config and write the URL without it, e.g. mqtts://user@broker:8883 or mqtts://broker:8883 with mqtt.username');
  }
  for (const [field, what] of [['passwordFile', 'MQTT password file'], ['keyFile', 'client key file'], ['downlinkKeyFile', 'downlink key file']] as const) {
    const file = m[field];
    const mode = file === undefined ? undefined : modeLetsOthersRead(file);
    if (file !== undefined && mode !== undefined) warn(files.configFile, `$.mqtt.${field}`, `the ${what} ${file} may be read by other users (mode ${mode})`, `chmod 600 ${file} and chown it to the gateway user`);
  }
  const hasPassword = inUrl !== undefined || m.password !== undefined || m.passwordFile !== undefined;
  // mqtt.js itself turns mqtt:// into TLS when a client certificate and key are given.
  const clearText = broker.url.startsWith('mqtt://') && (m.certFile === undefined || m.keyFile === undefined);
  if (hasPassword && clearText) {
    const overrides = broker.fromConfig && broker.siteUrl.startsWith('mqtts://');
    const message = overrides
      ? `the host config's mqtt.url overrides the site's mqtts:// broker with plain mqtt://, so the MQTT password crosses the network in clear text`
      : 'the MQTT password crosses the network in clear text (plain mqtt://)';
    warn(urlFile, urlPath, message, overrides ? "remove mqtt.url from the host config (the site's mqtts:// URL then applies), or write an mqtts:// URL with caFile" : 'use mqtts:// (port 8883) with mqtt.caFile; keep plain mqtt:// to a broker on the same machine or inside a VPN');
  }
  return warnings;
}

/**
 * Test inputs for the preflight (preflight.test.ts, gateway-check-parity.test.ts):
 * a site and host config that run as they are, in a directory of the test's
 * own, and one edit per refusal reason and warning. Each case is written as
 * files, so the same case feeds preflight() in-process and both commands as
 * child processes.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { makeSelfSignedCertificate } from '../mqtt/test-brokers.js';
import type { HostConfig } from './host-config.js';

export const PASSWORD = 'fixture-pw-81sQ';

let certificate: { key: string; cert: string } | undefined;

/** One throwaway certificate per test process (openssl takes a moment): the CA file, and the client certificate and key. */
export function fixtureCertificate(): { key: string; cert: string } {
  if (certificate === undefined) {
    const made = makeSelfSignedCertificate();
    certificate = { key: made.key, cert: made.cert };
    made.cleanup();
  }
  return certificate;
}

export interface Fixture {
  dir: string;
  site: SiteFile;
  config: HostConfig & { mqtt: NonNullable<HostConfig['mqtt']>; buses: NonNullable<HostConfig['buses']> };
  dataDir: string;
  siteFile: string;
  configFile: string;
  /** A path in the fixture's directory. */
  at(name: string): string;
  /** Write site and config as they are now. */
  write(): void;
  remove(): void;
}

/** A runnable pair: one bus on an existing (regular-file) device path, three outputs on exported GPIO lines, MQTT over TLS with a client certificate and a 0600 password file. */
export function fixture(): Fixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-preflight-'));
  const at = (name: string) => path.join(dir, name);
  const site = demoSubset(['underpass-longhua', 'smoke-pump-room']);
  site.buses[0].port = 'sim:not-on-this-pi';
  site.uplink = { kind: 'mqtt', url: 'mqtts://broker.example:8883' };
  writeFileSync(at('ttyUSB0'), '');
  const gpioRoot = at('gpio');
  const outputs: Record<string, { gpio: number }> = {};
  for (const [i, output] of (site.outputs ?? []).entries()) {
    outputs[output.id] = { gpio: 529 + i };
    mkdirSync(path.join(gpioRoot, `gpio${529 + i}`), { recursive: true });
  }
  writeFileSync(at('mqtt-password'), `${PASSWORD}\n`);
  chmodSync(at('mqtt-password'), 0o600);
  writeFileSync(at('ca.pem'), fixtureCertificate().cert);
  writeFileSync(at('client.pem'), fixtureCertificate().cert);
  writeFileSync(at('client.key'), fixtureCertificate().key, { mode: 0o600 });
  const config: Fixture['config'] = {
    gatewayId: 'preflight-gw',
    buses: { [site.buses[0].id]: { port: at('ttyUSB0') } },
    outputs,
    gpioRoot,
    mqtt: { username: 'preflight-gw', passwordFile: at('mqtt-password'), caFile: at('ca.pem'), certFile: at('client.pem'), keyFile: at('client.key') },
  };
  const f: Fixture = {
    dir,
    site,
    config,
    dataDir: at('data'),
    siteFile: at('site.json'),
    configFile: at('host.json'),
    at,
    write() {
      writeFileSync(f.siteFile, JSON.stringify(f.site, null, 2));
      writeFileSync(f.configFile, JSON.stringify(f.config, null, 2));
      chmodSync(f.configFile, 0o600);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return f;
}

/** A site of 13,108 energy meters (5 channels each) on 54 buses of at most 247 units: 65,540 channels, over the batch format's 65,536. */
export function overTheChannelLimit(f: Fixture): void {
  const template = f.site.buses[0];
  const meters = 13_108;
  f.site.buses = Array.from({ length: Math.ceil(meters / 247) }, (_, b) => ({
    ...template,
    id: `rs485-${b + 1}`,
    port: `sim:bus-${b + 1}`,
    devices: Array.from({ length: Math.min(247, meters - b * 247) }, (_, i) => ({ id: `meter-${b + 1}-${i + 1}`, manifest: 'energy-meter-sdm', address: i + 1, pollPeriodS: 3600 })),
  }));
  f.site.rules = [];
  f.site.outputs = [];
  f.config.outputs = {};
  f.config.buses = Object.fromEntries(f.site.buses.map((bus) => [bus.id, { port: f.at(`tty-${bus.id}`) }]));
  for (const bus of f.site.buses) writeFileSync(f.at(`tty-${bus.id}`), '');
}

export interface Case {
  name: string;
  edit(f: Fixture): void;
  /** What every refusal line of this case must say. */
  refusal: RegExp;
}

/** One case per refusal reason of issue 9 §2 (and the few more the preflight knows). */
export const REFUSALS: readonly Case[] = [
  { name: 'store capacity below two segments', edit: (f) => (f.config.gateway = { storeCapacityBytes: 16_384 }), refusal: /host\.json \$\.gateway\.storeCapacityBytes: capacityBytes 16384 holds fewer than two 16384-byte segments\. Fix: raise gateway\.storeCapacityBytes/ },
  { name: 'unreadable password file', edit: (f) => (f.config.mqtt.passwordFile = f.at('no-such-password')), refusal: /host\.json \$\.mqtt\.passwordFile: cannot read the MQTT password: ENOENT.*\. Fix: check the path/ },
  { name: 'unreadable CA file', edit: (f) => (f.config.mqtt.caFile = f.dir), refusal: /host\.json \$\.mqtt\.caFile: cannot read the CA certificate: EISDIR.*\. Fix: / },
  { name: 'a CA file that is no certificate', edit: (f) => writeFileSync(f.config.mqtt.caFile ?? '', 'not a certificate\n'), refusal: /host\.json \$\.mqtt\.caFile: the CA certificate .*ca\.pem does not load: .*\. Fix: give PEM files/ },
  { name: 'a client key that is no key', edit: (f) => writeFileSync(f.config.mqtt.keyFile ?? '', 'not a key\n'), refusal: /host\.json \$\.mqtt\.certFile: the client certificate and key do not load: .*\. Fix: give PEM files/ },
  { name: 'tcp://host:notaport', edit: (f) => (f.config.buses['rs485-1'].port = 'tcp://192.168.1.50:notaport'), refusal: /host\.json \$\.buses\["rs485-1"\]\.port: bus rs485-1: tcp:\/\/192\.168\.1\.50:notaport has no valid TCP port \("notaport".*\. Fix: write tcp:\/\/192\.168\.1\.50:4196/ },
  { name: 'a site over the channel limit', edit: overTheChannelLimit, refusal: /site\.json \$\.buses: the site has (65,540 uplink channels \(one per measured point of each device\); the uplink format numbers at most 65,536|more channels \(device points\) than the uplink format can number: 65540 channels; the format numbers at most 65536)\. Fix: / },
  {
    name: 'two buses mapped to the same port',
    edit: (f) => {
      f.site.buses.push({ ...f.site.buses[0], id: 'rs485-2', port: 'sim:second', devices: [{ id: 'hydrant-2', manifest: 'hydrant-pressure', address: 9 }] });
      f.config.buses['rs485-2'] = { port: f.config.buses['rs485-1'].port };
    },
    refusal: /host\.json \$\.buses: bus rs485-1 and bus rs485-2 are mapped to the same port .*ttyUSB0.*\. Fix: give each bus its own port/,
  },
  { name: 'a missing sysfs GPIO tree', edit: (f) => (f.config.gpioRoot = f.at('no-gpio-here')), refusal: /host\.json \$\.gpioRoot: there is no sysfs GPIO directory at .*no-gpio-here.*\. Fix: check gpioRoot in the host config: (?!.*GPIO number)/ },
  { name: 'a broker URL that is no URL', edit: (f) => (f.config.mqtt.url = 'mqtt://broker.example:notaport'), refusal: /host\.json \$\.mqtt\.url: the broker URL mqtt:\/\/broker\.example:notaport is not a URL/ },
  { name: 'a status page off loopback without a token', edit: (f) => (f.config.status = { listen: '0.0.0.0:8080' }), refusal: /host\.json \$\.status: the status page would listen on 0\.0\.0\.0:8080, reachable from other machines, without a token \(it can acknowledge alarms\)\. Fix: add "token"/ },
  { name: 'a data directory that cannot be created', edit: (f) => (f.dataDir = path.join(f.at('ttyUSB0'), 'data')), refusal: /--data .*ttyUSB0\/data: the data directory .*ttyUSB0\/data cannot be created: .*ttyUSB0 is not a directory\. Fix: give --data a directory/ },
];

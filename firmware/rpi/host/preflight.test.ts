/**
 * The preflight of `axon gateway check` and `run` (preflight.ts), in-process:
 * a runnable pair passes with no refusal and no warning; each refusal reason
 * is refused with file, JSON path and fix; warnings (a serial adapter not
 * plugged in, secrets kept or sent carelessly) stop nothing. The same cases
 * run through both commands in gateway-check-parity.test.ts.
 */
import test from 'ava';
import { chmodSync } from 'node:fs';
import { formatProblem } from '../../../sdk/manifest/manifest-error.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { HostConfigError } from './host-config.js';
import { fixture, PASSWORD, REFUSALS, type Fixture } from './preflight-fixture.js';
import { preflight, runnableConfig } from './preflight.js';

const manifests = shippedManifests();

function check(f: Fixture) {
  f.write();
  const result = preflight({ site: f.site, siteFile: f.siteFile, manifests, configFile: f.configFile, dataDir: f.dataDir });
  return { ...result, refused: result.refusals.map(formatProblem), warned: result.warnings.map(formatProblem) };
}

function withFixture(t: { teardown(fn: () => void): void }, edit?: (f: Fixture) => void): Fixture {
  const f = fixture();
  t.teardown(() => f.remove());
  edit?.(f);
  return f;
}

test('a runnable pair: no refusal, no warning, and the config comes back', (t) => {
  const f = withFixture(t);
  const result = check(f);
  t.deepEqual(result.refused, []);
  t.deepEqual(result.warned, []);
  t.is(runnableConfig(result).gatewayId, 'preflight-gw');
});

for (const c of REFUSALS) {
  test(`refused: ${c.name}`, (t) => {
    const f = withFixture(t, c.edit);
    const result = check(f);
    t.is(result.refused.length, 1, result.refused.join('\n'));
    t.regex(result.refused[0], c.refusal);
    const error = t.throws(() => runnableConfig(result)) as HostConfigError;
    t.true(error instanceof HostConfigError);
    t.is(error.code, 'HOST_CONFIG_INVALID');
  });
}

test('the sysfs GPIO tree missing at the default /sys/class/gpio: the fix is about the kernel, not the GPIO number', (t) => {
  const f = withFixture(t, (f) => delete f.config.gpioRoot);
  const result = check(f);
  // A machine with sysfs GPIO (a real Pi) has the tree, and then the fixture's GPIO numbers are checked against its chips instead.
  if (result.refused.length === 0 || !/no sysfs GPIO directory/.test(result.refused[0])) return t.pass('this machine has /sys/class/gpio');
  t.regex(result.refused[0], /host\.json \$: there is no sysfs GPIO directory at \/sys\/class\/gpio.*Fix: this kernel or container has no sysfs GPIO/);
  t.notRegex(result.refused[0], /GPIO number/);
});

test('a GPIO that is on none of the chips sysfs lists is refused, naming the ranges and the base + BCM rule', async (t) => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const f = withFixture(t, (f) => {
    const root = f.config.gpioRoot ?? '';
    writeFileSync(`${root}/export`, '');
    mkdirSync(`${root}/gpiochip512`);
    writeFileSync(`${root}/gpiochip512/base`, '512\n');
    writeFileSync(`${root}/gpiochip512/ngpio`, '58\n');
    f.config.outputs = { ...f.config.outputs, buzzer: { gpio: 22 } };
  });
  const result = check(f);
  t.is(result.refused.length, 1, result.refused.join('\n'));
  t.regex(result.refused[0], /\$\.outputs\["buzzer"\]\.gpio: output buzzer: GPIO 22 is on none of this machine's GPIO chips \(512-569\)\. Fix: .*BCM 17 is 529/);
});

test('every refusal at once: the problems of one pair are listed together', (t) => {
  const f = withFixture(t, (f) => {
    f.config.mqtt.passwordFile = f.at('no-such-password');
    f.config.gpioRoot = f.at('no-gpio-here');
    f.config.buses['rs485-1'].port = 'tcp://converter:99999';
  });
  const result = check(f);
  t.is(result.refused.length, 3, result.refused.join('\n'));
});

test('warned, not refused: a serial adapter that is not plugged in yet', (t) => {
  const f = withFixture(t, (f) => (f.config.buses['rs485-1'].port = '/dev/serial/by-id/usb-FTDI_not_plugged_in-if00-port0'));
  const result = check(f);
  t.deepEqual(result.refused, []);
  t.is(result.warned.length, 1);
  t.regex(result.warned[0], /host\.json \$\.buses\["rs485-1"\]\.port: bus rs485-1: serial port \/dev\/serial\/by-id\/usb-FTDI_not_plugged_in-if00-port0 does not exist \(yet\); the gateway starts anyway.*Fix: plug in the USB–RS-485 adapter/);
});

test('secrets: a password file others can read is a warning with the chmod that fixes it', (t) => {
  const f = withFixture(t, (f) => chmodSync(f.at('mqtt-password'), 0o644));
  const result = check(f);
  t.deepEqual(result.refused, []);
  t.is(result.warned.length, 1, result.warned.join('\n'));
  t.regex(result.warned[0], /\$\.mqtt\.passwordFile: the MQTT password file .*mqtt-password may be read by other users \(mode 0644\)\. Fix: chmod 600 /);
});

/** No client certificate: mqtt.js would otherwise speak TLS on an mqtt:// URL. */
function withoutClientCertificate(f: Fixture): void {
  delete f.config.mqtt.certFile;
  delete f.config.mqtt.keyFile;
}

test('secrets: a password over plain mqtt:// is a warning; overriding the site\'s mqtts:// says so', (t) => {
  const plainSite = withFixture(t, (f) => {
    withoutClientCertificate(f);
    f.site.uplink = { kind: 'mqtt', url: 'mqtt://broker.example:1883' };
  });
  const plain = check(plainSite);
  t.deepEqual(plain.refused, []);
  t.is(plain.warned.length, 1, plain.warned.join('\n'));
  t.regex(plain.warned[0], /site\.json \$\.uplink\.url: the MQTT password crosses the network in clear text \(plain mqtt:\/\/\)\. Fix: use mqtts:\/\//);

  const override = withFixture(t, (f) => {
    withoutClientCertificate(f);
    f.config.mqtt.url = 'mqtt://broker.example:1883';
  });
  const overridden = check(override);
  t.deepEqual(overridden.refused, []);
  t.is(overridden.warned.length, 1, overridden.warned.join('\n'));
  t.regex(overridden.warned[0], /host\.json \$\.mqtt\.url: the host config's mqtt\.url overrides the site's mqtts:\/\/ broker with plain mqtt:\/\/, so the MQTT password crosses the network in clear text\. Fix: remove mqtt\.url/);

  const both = withFixture(t, (f) => {
    withoutClientCertificate(f);
    f.config.mqtt.url = 'mqtt://broker.example:1883';
    chmodSync(f.at('mqtt-password'), 0o640);
  });
  t.is(check(both).warned.length, 2, 'the file-mode warning applies under the override too');

  const noPassword = withFixture(t, (f) => {
    f.site.uplink = { kind: 'mqtt', url: 'mqtt://broker.example:1883' };
    delete f.config.mqtt.passwordFile;
  });
  t.deepEqual(check(noPassword).warned, [], 'no password, nothing to leak');

  const clientCertificate = withFixture(t, (f) => (f.config.mqtt.url = 'mqtt://broker.example:1883'));
  t.deepEqual(check(clientCertificate).warned, [], 'with a client certificate and key mqtt.js speaks TLS, even on mqtt://');
});

test('secrets: a password in the broker URL is a warning pointing to passwordFile, and no message shows it', (t) => {
  const f = withFixture(t, (f) => {
    delete f.config.mqtt.passwordFile;
    f.config.mqtt.url = `mqtts://preflight-gw:${PASSWORD}@broker.example:8883`;
  });
  const result = check(f);
  t.deepEqual(result.refused, []);
  t.is(result.warned.length, 1, result.warned.join('\n'));
  t.regex(result.warned[0], /\$\.mqtt\.url: the broker URL carries a password .*Fix: move the password to mqtt\.passwordFile/);

  // A refusal that quotes the URL (schema: not mqtt:// or mqtts://) masks the password too.
  const refused = withFixture(t, (f) => (f.config.mqtt.url = `http://preflight-gw:${PASSWORD}@broker.example`));
  const text = check(refused).refused.join('\n');
  t.regex(text, /\$\.mqtt\.url/);
  t.regex(text, /preflight-gw:\*\*\*@broker/);
  t.false(text.includes(PASSWORD), text);
});

/**
 * `axon ns sim` through the real launcher, with the example registry of
 * docs/ns-sim.md: a frame pushed over Semtech UDP comes out on the embedded
 * broker as a decoded event/up, and Ctrl-C prints the counters.
 */
import test from 'ava';
import { runCli, startCli } from '../../sdk/cli/test-kit.js';
import { loadRegistryFile } from './registry-file.js';
import { ABP, ABP_DEVADDR, ABP_KEYS, CITY_APP_ID, dataUp, EventCollector, examplePayloads, exampleTable, OTAA, TestForwarder } from './test-support.js';

const EXAMPLE = 'simulators/lorawan-ns/example-devices.json';

test.serial('axon ns sim serves Semtech UDP and publishes decoded events to its embedded broker', async (t) => {
  // A launched process compiles with tsx first: minutes on a busy 2-core machine, not seconds.
  t.timeout(300_000);
  const cli = startCli(t, ['ns', 'sim', '--udp', '0', '--host', '127.0.0.1', '--broker-port', '0', '--devices', EXAMPLE, '--app', 'city']);
  const [, url] = await cli.waitFor(/^mqtt (mqtt:\/\/\S+) \(embedded broker\)$/m);
  await cli.waitFor(new RegExp(`^application city ${CITY_APP_ID}$`, 'm'));
  const [, port] = await cli.waitFor(/listening on udp:\/\/127\.0\.0\.1:(\d+)/);
  const events = await EventCollector.connect(t, url);
  const gw = await TestForwarder.start(t, Number(port));
  await gw.pull();
  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_531, examplePayloads(exampleTable()).batch), tmst: 1 }]);
  const up = await events.next('/event/up');
  t.is(up.topic, `application/${CITY_APP_ID}/device/${ABP.devEui}/event/up`);
  t.like(up.body, { fCnt: 65_531, object: { type: 'batch' }, deviceInfo: { tenantName: 'xuhui-district', deviceProfileName: 'Axon gateway (EU868)', tags: { district: 'xuhui' } } });
  t.like((up.body.rxInfo as unknown[])[0], { location: { latitude: 31.1886, longitude: 121.4365, altitude: 12 } });
  await cli.waitFor(/up {5}0004a30b001c0531 fCnt 65531 fPort 10 SF7 SNR 9\.5 dB: batch, \d+ readings/);
  const exit = await cli.stop();
  t.is(exit.code, 0, cli.stderr);
  t.regex(cli.stdout, /frames 1, joins 0, uplinks 1, downlinks sent 0, rejected: none/);
});

test.serial('axon ns sim --help and a bad --outage', async (t) => {
  const help = await runCli(['ns', 'sim', '--help']);
  t.is(help.code, 0, help.stderr);
  for (const flag of ['--udp', '--mqtt', '--devices', '--app', '--adr', '--outage', '--broker-port']) t.true(help.stdout.includes(flag), flag);
  t.regex(help.stdout, /Examples:\n {2}axon ns sim /);
  const bad = await runCli(['ns', 'sim', '--outage', '120-60']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--outage "120-60" must be <from>-<to>/);
});

test('the example registry of docs/ns-sim.md holds the test devices and loads its channel table', (t) => {
  const registry = loadRegistryFile(EXAMPLE, { defaultApplication: 'axon' });
  t.deepEqual(registry.network, { region: 'EU868', netId: 0x13, rx1DelayS: 1, rx1DrOffset: 0, gatewayLocations: { aa555a0000000101: { latitude: 31.1886, longitude: 121.4365, altitude: 12 } } });
  const [otaa, abp] = registry.devices;
  t.like(otaa, { activation: 'otaa', application: 'city', applicationId: CITY_APP_ID, tags: { district: 'xuhui' } });
  t.is(Buffer.from(otaa.devEui).toString('hex'), OTAA.devEui);
  t.like(abp, { activation: 'abp', devAddr: ABP_DEVADDR, lastFCntUp: ABP.lastFCntUp });
  t.deepEqual(otaa.channels, exampleTable());
});

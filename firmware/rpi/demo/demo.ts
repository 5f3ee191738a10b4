/**
 * Assembles `npm start`: the real Gateway (drivers/gateway) on
 * manifests/sites/demo.json, Node host ports around it — serialport on socat
 * ptys with the simulated devices on the far end, files for the log, and the
 * uplink: the site's LoRaWAN (our MAC → simulated channel → network-server
 * simulator → ChirpStack-style MQTT) or plain MQTT to the embedded aedes
 * broker — a subscriber that decodes what reaches "the cloud", and the live view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { Gateway } from '../../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import type { UplinkPort } from '../../../drivers/ports/uplink.js';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.js';
import { MqttUplink } from '../mqtt/mqtt-uplink.js';
import { NodeClock } from '../ports/node-clock.js';
import { nodeStorePorts } from '../storage/index.js';
import { startCloud, type CloudSource } from './cloud.js';
import { siteRules } from '../../../drivers/rules/defaults.js';
import { mirrorBroker, type BrokerMirror } from './broker-mirror.js';
import { LiveView, type InFlight } from './live-view.js';
import { startLoraWanLink, type LoraWanLink } from './lorawan-link.js';
import { PTY_FRAME_GAP_MS, startPtySite } from './pty-site.js';
import { timeLapsePeriods, timeLapseSite } from './time-lapse.js';

export interface DemoOptions {
  site: SiteFile;
  manifests: Map<string, DeviceManifest>;
  speed: number;
  startMinutes: number;
  tty: boolean;
  write: (text: string) => void;
  /** 'lorawan' (the site's LoRaWAN section, through the network-server simulator) or 'mqtt' (straight to the broker). */
  uplink: 'lorawan' | 'mqtt';
  /** An external broker that gets every message of the embedded one too (--broker). */
  broker?: string;
  /** Terminal size for the live table (default 80×24). */
  size?: () => { columns: number; rows: number };
}

export async function startDemo(options: DemoOptions): Promise<{ stop(): Promise<string> }> {
  const clock = new NodeClock();
  const started = clock.now();
  const simMinutes = () => options.startMinutes + ((clock.now() - started) / 60000) * options.speed;
  const site = timeLapseSite(options.site, options.manifests, options.speed);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'axon-data-'));
  const ptySite = await startPtySite(site, options.manifests, clock, { speed: options.speed, startMinutes: options.startMinutes });
  const broker = await startEmbeddedBroker({ port: 0 });
  let mirror: BrokerMirror | undefined;
  try {
    mirror = options.broker === undefined ? undefined : await mirrorBroker(broker.broker, options.broker);
  } catch (error) {
    await broker.close();
    await ptySite.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const store = nodeStorePorts(dataDir);
  const siteLoraWan = site.uplink.kind === 'lorawan' ? site.uplink : undefined;
  if (options.uplink === 'lorawan' && siteLoraWan === undefined) throw new Error(`site ${site.id} has no LoRaWAN uplink section; use --uplink mqtt`);

  let view: LiveView | undefined;
  let lorawan: LoraWanLink | undefined;
  let mqttUplink: MqttUplink | undefined;
  let uplink: UplinkPort;
  // The message being sent: the network (and so the cloud) can have it before send() resolves and the gateway counts it.
  let inFlight: InFlight;
  // The LoRaWAN link needs the gateway's channel table, and the gateway its uplink: the port forwards until both exist.
  const forward: UplinkPort = {
    // LoRaWAN data goes unconfirmed; the cloud's ack service releases it (docs/app-ack.md).
    delivery: options.uplink === 'lorawan' ? 'application' : 'transport',
    readyInMs: (bytes) => uplink.readyInMs?.(bytes) ?? 0,
    maxPayloadBytes: () => uplink.maxPayloadBytes(),
    send: async (message) => {
      inFlight = message.priority;
      try {
        return await uplink.send(message);
      } finally {
        inFlight = undefined;
      }
    },
    onDownlink: undefined,
  };
  const gateway = new Gateway({
    site,
    manifests: options.manifests,
    clock,
    openPort: (bus) => ptySite.openPort(bus),
    ...store,
    uplink: forward,
    ...timeLapsePeriods(options.speed),
    minQuietMs: PTY_FRAME_GAP_MS,
    modbus: { minFrameGapMs: PTY_FRAME_GAP_MS },
    onEvent: (event) => {
      if (event.kind === 'poll') view?.poll(event.poll);
      else if (event.kind === 'alert') view?.alert(event.alert);
      else if (event.kind === 'error') options.write(`error: ${event.error.message}\n`);
    },
  });
  if (options.uplink === 'lorawan' && siteLoraWan !== undefined) {
    lorawan = await startLoraWanLink({ config: siteLoraWan, siteId: site.id, clock, store: store.meta, table: gateway.channelTable, brokerUrl: broker.url });
    uplink = lorawan.uplink;
  } else {
    mqttUplink = await MqttUplink.connect({ url: broker.url, gatewayId: site.id });
    uplink = mqttUplink;
  }
  uplink.onDownlink = (message) => forward.onDownlink?.(message);
  const source: CloudSource = lorawan === undefined ? { kind: 'gateway-mqtt', gatewayId: site.id } : { kind: 'chirpstack', application: lorawan.applicationId };
  const cloud = await startCloud(broker.url, source, gateway.channelTable);
  let cloudAlertsShown = 0;
  const live = new LiveView({
    site, manifests: options.manifests, tty: options.tty, write: options.write, simMinutes, stats: () => gateway.stats(), cloud: () => cloud, dataDir,
    uplinkInfo: lorawan === undefined ? undefined : () => (lorawan as LoraWanLink).brief(),
    rules: siteRules(site, options.manifests),
    speed: options.speed,
    inFlight: () => inFlight,
    radio: lorawan !== undefined,
    ...(mirror === undefined ? {} : { mirrorInfo: () => `${mirror.shownUrl}: ${mirror.published} messages published${mirror.failed > 0 ? `, ${mirror.failed} failed` : ''}` }),
    ...(options.size === undefined ? {} : { size: options.size }),
  });
  view = live;
  gateway.start();
  const redraw = setInterval(() => {
    for (; cloudAlertsShown < cloud.alerts.length; cloudAlertsShown++) live.cloudAlert(cloud.alerts[cloudAlertsShown]);
    live.render();
  }, 250);

  return {
    async stop() {
      clearInterval(redraw);
      await gateway.close();
      // After close: nothing is in flight any more, so what was sent and what arrived are final and comparable.
      const s = gateway.stats();
      await ptySite.close();
      await lorawan?.close();
      await mqttUplink?.close();
      await mirror?.close();
      await cloud.close();
      await broker.close();
      clock.cancelAll();
      rmSync(dataDir, { recursive: true, force: true });
      return [
        `stopped after ${live.polls} polls of ${live.devicesSeen} devices; ${live.failedPoints} point readings failed.`,
        `pipeline: ${s.samples} samples, ${s.alerts} alert events; sent ${s.framesSent} data frames, ${s.alertsSent} alerts in ${s.alertFramesSent} frames, ${s.statusSent} status messages (${s.bytesSent} bytes).`,
        ...(lorawan === undefined ? [] : [`uplink: ${lorawan.describe()}.`]),
        `cloud (${cloud.via}) decoded ${cloud.readings} readings in ${cloud.frames} data frames and ${cloud.alerts.length} alerts` +
          `${cloud.repeatedReadings + cloud.repeatedAlerts > 0 ? ` (and ${cloud.repeatedReadings + cloud.repeatedAlerts} repeats of resent frames, set aside)` : ''}.`,
        ...(s.store.pendingReadings + s.store.pendingAlerts > 0 ? [`log: ${s.store.pendingReadings} data frames and ${s.store.pendingAlerts} alerts not delivered yet; a gateway keeps them for its next run.`] : []),
        ...(mirror === undefined ? [] : [`mirror: ${mirror.published} messages published on ${mirror.shownUrl}.`]),
      ].join('\n');
    },
  };
}

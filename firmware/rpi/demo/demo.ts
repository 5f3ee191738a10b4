/**
 * Assembles `npm start`: the real Gateway (drivers/gateway) on
 * manifests/sites/demo.json, Node host ports around it — serialport on socat
 * ptys with the simulated devices on the far end, files for the log, an MQTT
 * uplink to an embedded aedes broker — a subscriber that decodes what
 * reaches "the cloud", and the live view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { Gateway } from '../../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { createRegion } from '../../../drivers/lorawan/regions/index.js';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.js';
import { MqttUplink } from '../mqtt/mqtt-uplink.js';
import { NodeClock } from '../ports/node-clock.js';
import { nodeStorePorts } from '../storage/index.js';
import { startCloud } from './cloud.js';
import { LiveView } from './live-view.js';
import { PTY_FRAME_GAP_MS, startPtySite } from './pty-site.js';
import { timeLapsePeriods, timeLapseSite } from './time-lapse.js';

export interface DemoOptions {
  site: SiteFile;
  manifests: Map<string, DeviceManifest>;
  speed: number;
  startMinutes: number;
  tty: boolean;
  write: (text: string) => void;
}

/**
 * Frames are cut as the site's LoRaWAN uplink would cut them (CN470 DR2: 86
 * bytes) although they travel over MQTT, until the LoRaWAN MAC is in.
 */
function payloadLimit(site: SiteFile): number {
  const uplink = site.uplink;
  return uplink.kind === 'lorawan' ? createRegion(uplink.region).maxPayload(uplink.dataRate ?? 0) : 65536;
}

export async function startDemo(options: DemoOptions): Promise<{ stop(): Promise<string> }> {
  const clock = new NodeClock();
  const started = clock.now();
  const simMinutes = () => options.startMinutes + ((clock.now() - started) / 60000) * options.speed;
  const site = timeLapseSite(options.site, options.manifests, options.speed);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'axon-data-'));
  const ptySite = await startPtySite(site, options.manifests, clock, { speed: options.speed, startMinutes: options.startMinutes });
  const broker = await startEmbeddedBroker({ port: 0 });
  const uplink = await MqttUplink.connect({ url: broker.url, gatewayId: site.id, maxPayloadBytes: payloadLimit(site) });

  let view: LiveView | undefined;
  const gateway = new Gateway({
    site,
    manifests: options.manifests,
    clock,
    openPort: (bus) => ptySite.openPort(bus),
    ...nodeStorePorts(dataDir),
    uplink,
    ...timeLapsePeriods(options.speed),
    minQuietMs: PTY_FRAME_GAP_MS,
    modbus: { minFrameGapMs: PTY_FRAME_GAP_MS },
    onEvent: (event) => {
      if (event.kind === 'poll') view?.poll(event.poll);
      else if (event.kind === 'alert') view?.alert(event.alert);
      else if (event.kind === 'error') options.write(`error: ${event.error.message}\n`);
    },
  });
  const cloud = await startCloud(broker.url, site.id, gateway.channelTable);
  let cloudAlertsShown = 0;
  const live = new LiveView({ site, manifests: options.manifests, tty: options.tty, write: options.write, simMinutes, stats: () => gateway.stats(), cloud: () => cloud, dataDir });
  view = live;
  gateway.start();
  const redraw = setInterval(() => {
    for (; cloudAlertsShown < cloud.alerts.length; cloudAlertsShown++) live.cloudAlert(cloud.alerts[cloudAlertsShown]);
    live.render();
  }, 250);

  return {
    async stop() {
      clearInterval(redraw);
      const s = gateway.stats();
      await gateway.close();
      await ptySite.close();
      await uplink.close();
      await cloud.close();
      await broker.close();
      clock.cancelAll();
      rmSync(dataDir, { recursive: true, force: true });
      return [
        `stopped after ${live.polls} polls of ${live.devicesSeen} devices; ${live.failedPoints} point readings failed.`,
        `pipeline: ${s.samples} samples, ${s.alerts} alert events; sent ${s.framesSent} frames, ${s.alertsSent} alerts, ${s.statusSent} status messages (${s.bytesSent} bytes).`,
        `cloud decoded ${cloud.readings} readings in ${cloud.frames} frames and ${cloud.alerts.length} alerts.`,
      ].join('\n');
    },
  };
}

/**
 * The status page as part of the running gateway: the model is built before
 * the Gateway (it takes its events), the server listens once the gateway has
 * started. A port that is taken does not stop the gateway: polling and alarms
 * matter more than the page, so the log says why there is none.
 */
import type { DeviceManifest } from '../../../../drivers/devices/manifest.js';
import type { SiteFile } from '../../../../drivers/gateway/site.js';
import { busPortOf } from '../bus-port.js';
import type { HostConfig } from '../host-config.js';
import type { HostLog } from '../host-log.js';
import type { HostUplink } from '../host-uplink.js';
import { statusSettings } from './status-config.js';
import { StatusModel } from './status-model.js';
import { startStatusServer, type StatusServer } from './status-server.js';

export interface HostStatus {
  /** Undefined when the status page is turned off ("status": false). */
  readonly model: StatusModel | undefined;
  /** http://…/ once listening. */
  readonly url: string | undefined;
  listen(): Promise<void>;
  /** The start-up line about the page. */
  describe(): string;
  close(): Promise<void>;
}

export interface HostStatusOptions {
  site: SiteFile;
  manifests: ReadonlyMap<string, DeviceManifest>;
  config: HostConfig;
  gatewayId: string;
  uplink: HostUplink;
  log: HostLog;
}

export function startStatus(options: HostStatusOptions): HostStatus {
  const settings = statusSettings(options.config);
  const model = settings === undefined ? undefined : new StatusModel({
    site: options.site,
    manifests: options.manifests,
    gatewayId: options.gatewayId,
    busPort: (busId) => {
      const bus = options.site.buses.find((b) => b.id === busId);
      return bus === undefined ? '' : busPortOf(bus, options.config).port;
    },
    uplink: { kind: options.site.uplink.kind, describe: options.uplink.describe, connected: options.uplink.connected },
  });
  let server: StatusServer | undefined;
  let failure: string | undefined;
  return {
    model,
    get url() {
      return server?.url;
    },
    async listen() {
      if (settings === undefined || model === undefined) return;
      try {
        server = await startStatusServer(settings, model, options.log);
      } catch (error) {
        const code = (error as { code?: string }).code;
        const where = `${settings.listen.host}:${settings.listen.port}`;
        const fix = code === 'EADDRINUSE' ? `another program listens on ${where}: choose another status.listen port in the host config` : 'check status.listen in the host config';
        failure = `status page: cannot listen on ${where}: ${(error as Error).message}. Fix: ${fix}; the gateway runs without it`;
        options.log.error('status-page', failure, { code });
      }
    },
    describe() {
      if (settings === undefined) return 'status page: off (host config "status": false)';
      if (server === undefined) return failure ?? 'status page: not listening';
      return `status page: ${server.url} (/api/status, /metrics)${settings.token === undefined ? '' : ', token required'}`;
    },
    async close() {
      model?.close();
      await server?.close();
    },
  };
}

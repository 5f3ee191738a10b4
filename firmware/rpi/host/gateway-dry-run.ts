/**
 * Build the core's Gateway exactly as `gateway run` would, on in-memory ports,
 * and report what its constructor refuses (a store too small for two segments,
 * a site over the channel limit, …). `gateway check` must refuse what `run`
 * refuses; asking the same constructor is the only way that stays true when
 * the core gains a rule.
 *
 * Nothing is written: the channel table and alarm state are read from the data
 * directory when it has them (a site that grew past the limit only with the
 * channels an earlier site retired is refused too), writes go to memory.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { Gateway } from '../../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { MemoryStream } from '../../../drivers/ports/memory-stream.js';
import type { KeyValueStore } from '../../../drivers/ports/storage.js';
import { VirtualClock } from '../../../drivers/ports/virtual-clock.js';
import { MemoryFileSystem } from '../../../drivers/store/memory-file-system.js';
import type { HostConfig } from './host-config.js';

/** Reads `<dir>/<key>` (the Node key-value store's layout), keeps writes in memory. */
class ReadOnlyKeyValueStore implements KeyValueStore {
  readonly #written = new Map<string, Uint8Array | undefined>();

  constructor(readonly dir: string) {}

  get(key: string): Uint8Array | undefined {
    if (this.#written.has(key)) return this.#written.get(key);
    try {
      return new Uint8Array(readFileSync(path.join(this.dir, key)));
    } catch {
      return undefined; // no data directory yet, or no such key: as on a first start
    }
  }

  set(key: string, value: Uint8Array): void {
    this.#written.set(key, value.slice());
  }

  delete(key: string): void {
    this.#written.set(key, undefined);
  }
}

/** The error the Gateway constructor throws for this site, config and data directory, or undefined when it would start. */
export function gatewayConstructionError(site: SiteFile, manifests: ReadonlyMap<string, DeviceManifest>, config: HostConfig, dataDir: string): Error | undefined {
  try {
    new Gateway({
      site,
      manifests,
      clock: new VirtualClock(),
      openPort: (bus) => new MemoryStream({ line: { baud: bus.baud, parity: bus.parity, stopBits: bus.stopBits, dataBits: bus.dataBits ?? 8 } }),
      files: new MemoryFileSystem(),
      meta: new ReadOnlyKeyValueStore(path.join(dataDir, 'kv')),
      uplink: { maxPayloadBytes: () => 65536, send: () => Promise.resolve(), onDownlink: undefined },
      flushEveryMs: config.gateway?.flushEveryMs,
      statusEveryMs: config.gateway?.statusEveryMs,
      storeCapacityBytes: config.gateway?.storeCapacityBytes,
    });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * The shipped demo site and device manifests as plain data, for runtime-
 * neutral code (core tests in XS, the wire-ratio bench) that cannot read
 * files. The JSON is bundled by esbuild and loaded natively by Node.
 */
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import demo from '../../manifests/sites/demo.json' with { type: 'json' };
import cjt188WaterMeter from '../../manifests/devices/cjt188-water-meter.json' with { type: 'json' };
import dlt645Meter from '../../manifests/devices/dlt645-meter.json' with { type: 'json' };
import energyMeterSdm from '../../manifests/devices/energy-meter-sdm.json' with { type: 'json' };
import hydrantPressure from '../../manifests/devices/hydrant-pressure.json' with { type: 'json' };
import radarLevelGauge from '../../manifests/devices/radar-level-gauge.json' with { type: 'json' };
import smokeHeatDetector from '../../manifests/devices/smoke-heat-detector.json' with { type: 'json' };
import temperatureHumidity from '../../manifests/devices/temperature-humidity-rs485.json' with { type: 'json' };
import waterLevel from '../../manifests/devices/water-level-rs485.json' with { type: 'json' };

/** A fresh deep copy each call, so a test can edit its site freely. */
export function demoSite(): SiteFile {
  return JSON.parse(JSON.stringify(demo)) as SiteFile;
}

/** Every shipped device manifest by id (validated by sdk/manifest's own tests). */
export function shippedManifests(): Map<string, DeviceManifest> {
  const all = [cjt188WaterMeter, dlt645Meter, energyMeterSdm, hydrantPressure, radarLevelGauge, smokeHeatDetector, temperatureHumidity, waterLevel] as unknown as DeviceManifest[];
  return new Map(all.map((m) => [m.id, JSON.parse(JSON.stringify(m)) as DeviceManifest]));
}

/**
 * Fixtures shared by the batch codec tests (core and Node): the shipped
 * manifests as data (XS cannot read files; esbuild bundles the JSON) and a
 * small site with one device of every kind, plus the worked example of
 * docs/batch-format.md §9.
 */
import cjt188WaterMeter from '../../manifests/devices/cjt188-water-meter.json' with { type: 'json' };
import dlt645Meter from '../../manifests/devices/dlt645-meter.json' with { type: 'json' };
import energyMeterSdm from '../../manifests/devices/energy-meter-sdm.json' with { type: 'json' };
import hydrantPressure from '../../manifests/devices/hydrant-pressure.json' with { type: 'json' };
import radarLevelGauge from '../../manifests/devices/radar-level-gauge.json' with { type: 'json' };
import smokeHeatDetector from '../../manifests/devices/smoke-heat-detector.json' with { type: 'json' };
import temperatureHumidity from '../../manifests/devices/temperature-humidity-rs485.json' with { type: 'json' };
import waterLevel from '../../manifests/devices/water-level-rs485.json' with { type: 'json' };
import type { DeviceManifest } from '../devices/manifest.js';
import type { Sample } from '../gateway/events.js';
import type { SiteDevice, SiteFile } from '../gateway/site.js';

export function fixtureManifests(): Map<string, DeviceManifest> {
  const all = [cjt188WaterMeter, dlt645Meter, energyMeterSdm, hydrantPressure, radarLevelGauge, smokeHeatDetector, temperatureHumidity, waterLevel] as unknown as DeviceManifest[];
  return new Map(all.map((m) => [m.id, JSON.parse(JSON.stringify(m)) as DeviceManifest]));
}

const dev = (id: string, manifest: string, address: number | string): SiteDevice => ({ id, manifest, address });

export function fixtureSite(): SiteFile {
  return {
    id: 'batch-fixture',
    name: 'Batch codec fixture',
    uplink: { kind: 'lorawan', region: 'EU868', activation: 'otaa' },
    buses: [
      {
        id: 'rs485-1', port: 'sim:a', baud: 9600, parity: 'none', stopBits: 1,
        devices: [
          dev('underpass', 'water-level-rs485', 1),
          dev('climate', 'temperature-humidity-rs485', 2),
          dev('detector', 'smoke-heat-detector', 3),
          dev('hydrant', 'hydrant-pressure', 4),
          dev('river', 'radar-level-gauge', 5),
          dev('feeder', 'energy-meter-sdm', 6),
        ],
      },
      { id: 'rs485-2', port: 'sim:b', baud: 2400, parity: 'even', stopBits: 1, devices: [dev('meter', 'dlt645-meter', '000000000161'), dev('water', 'cjt188-water-meter', '00000000000012')] },
    ],
    rules: [
      { id: 'underpass-ponding', kind: 'threshold', device: 'underpass', point: 'level', levels: [{ level: 'warning', above: 15 }, { level: 'critical', above: 25 }] },
      { id: 'detector-smoke', kind: 'boolean', device: 'detector', point: 'smoke_alarm', level: 'critical' },
      { id: 'hydrant-low', kind: 'threshold', device: 'hydrant', point: 'pressure', levels: [{ level: 'warning', below: 0.14 }] },
      { id: 'meter-offline', kind: 'offline', device: 'meter', level: 'warning' },
    ],
  };
}

/** The worked example: a site of one level gauge and one smoke/heat detector. */
export function exampleSite(): SiteFile {
  return {
    id: 'example',
    name: 'Worked example',
    uplink: { kind: 'lorawan', region: 'EU868', activation: 'otaa' },
    buses: [{ id: 'rs485-1', port: 'sim:a', baud: 9600, parity: 'none', stopBits: 1, devices: [dev('underpass', 'water-level-rs485', 1), dev('detector', 'smoke-heat-detector', 2)] }],
    rules: [{ id: 'underpass-ponding', kind: 'threshold', device: 'underpass', point: 'level', levels: [{ level: 'warning', above: 15 }] }],
  };
}

/** docs/batch-format.md §9, byte for byte (the core test encodes it, the Node test checks the doc). */
export const EXAMPLE_FRAME_HEX = '11 6a 57 3e 00 6c fd 5d 13 ec 79 13 32 02 bc 4c 90';
export const EXAMPLE_ALERT_HEX = '12 00 18 6a 57 40 58 00 00 00 a0';

/** 2026-07-15 08:00:00 UTC. */
export const EXAMPLE_T0 = Date.UTC(2026, 6, 15, 8);

/** Three 5-minute cycles: rising water, a detector whose alarms stay off and whose temperature drifts. */
export function exampleSamples(): Sample[] {
  const out: Sample[] = [];
  const level = [12.3, 14.1, 16.0];
  const temperature = [24.1, 24.3, 24.2];
  for (let i = 0; i < 3; i++) {
    const t = EXAMPLE_T0 + i * 300000;
    out.push({ device: 'underpass', point: 'level', t: t + 120, value: level[i] });
    out.push({ device: 'detector', point: 'smoke_alarm', t: t + 240, value: false });
    out.push({ device: 'detector', point: 'temperature', t: t + 240, value: temperature[i] });
  }
  return out;
}

/** A device of 10 int16 holding registers (×0.1), one FC03 request: the Pi bench's workload device. */
export function tenRegisterManifest(): DeviceManifest {
  const points = [];
  for (let i = 0; i < 10; i++) points.push({ id: `value_${i}`, name: `Value ${i}`, unit: 'kPa', role: 'measurement', fc: 3, address: i, type: 'int16', scale: 0.1, min: -1000, max: 1000, sim: { model: 'random-walk', base: 10 * i, step: 20, min: -900, max: 900 } });
  return {
    id: 'ten-registers', name: 'Ten holding registers', vendor: 'axon', model: 'test', category: 'other', protocol: 'modbus',
    line: { baud: 115200, parity: 'none', dataBits: 8, stopBits: 1 }, defaultAddress: 1, pollPeriodS: 10, points,
  } as unknown as DeviceManifest;
}

/** A Pi with 8 RS-485 buses of 125 ten-register units: 1,000 devices, 10,000 channels. */
export function thousandDeviceSite(): SiteFile {
  const buses = [];
  for (let b = 1; b <= 8; b++) {
    const devices: SiteDevice[] = [];
    for (let u = 1; u <= 125; u++) devices.push(dev(`b${b}-u${u}`, 'ten-registers', u));
    buses.push({ id: `rs485-${b}`, port: `/dev/ttyUSB${b - 1}`, baud: 115200, parity: 'none' as const, stopBits: 1 as const, devices });
  }
  return { id: 'thousand-devices', name: '1,000 devices on 8 buses', uplink: { kind: 'mqtt', url: 'mqtt://127.0.0.1:1883' }, buses };
}

/**
 * The built-in simulated site `npm start` runs: a small underpass-and-river
 * installation with a Modbus RS-485 bus and two meter buses. Plain data: the
 * gateway pipeline issue replaces it with manifests/sites/demo.json.
 */
export interface DemoDevice {
  /** Label on the live view. */
  label: string;
  /** Manifest id in manifests/devices/. */
  manifest: string;
  /** Modbus unit id or meter address. */
  address: number | string;
}

export interface DemoBus {
  id: string;
  baud: number;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  devices: DemoDevice[];
}

export const DEMO_SITE: { name: string; buses: DemoBus[] } = {
  name: 'Xuhui underpass demo site',
  buses: [
    {
      id: 'rs485-1',
      baud: 9600,
      parity: 'none',
      stopBits: 1,
      devices: [
        { label: 'Underpass A level', manifest: 'water-level-rs485', address: 1 },
        { label: 'Underpass B level', manifest: 'water-level-rs485', address: 2 },
        { label: 'River gauge', manifest: 'radar-level-gauge', address: 3 },
        { label: 'Pump room climate', manifest: 'temperature-humidity-rs485', address: 4 },
        { label: 'Pump room detector', manifest: 'smoke-heat-detector', address: 5 },
        { label: 'Hydrant main', manifest: 'hydrant-pressure', address: 6 },
        { label: 'Pump feeder', manifest: 'energy-meter-sdm', address: 7 },
      ],
    },
    {
      id: 'rs485-2',
      baud: 2400,
      parity: 'even',
      stopBits: 1,
      devices: [{ label: 'Site electricity meter', manifest: 'dlt645-meter', address: '000000000161' }],
    },
    {
      id: 'rs485-3',
      baud: 2400,
      parity: 'even',
      stopBits: 1,
      devices: [{ label: 'Site water meter', manifest: 'cjt188-water-meter', address: '00000000000012' }],
    },
  ],
};

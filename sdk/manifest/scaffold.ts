/**
 * A new device's starting point (`axon manifest new`): a manifest that is valid
 * and passes its conformance check as generated, with a `sim` block on every
 * point, and a README that says what to replace with the vendor's datasheet.
 * The values are placeholders a simulator can play, never a guess at a real
 * device's register map.
 */
import type { DeviceManifest, DevicePoint } from '../../drivers/devices/manifest.js';

/** The protocol names the command takes; DL/T 645 scaffolds the 2007 edition. */
export const SCAFFOLD_PROTOCOLS = ['modbus', 'dlt645', 'cjt188'] as const;
export type ScaffoldProtocol = (typeof SCAFFOLD_PROTOCOLS)[number];

export const MANIFEST_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export interface ScaffoldOptions {
  id: string;
  protocol: ScaffoldProtocol;
  /** `$schema` as written into the file: the schema's path relative to the manifest. */
  schemaRef: string;
  name?: string;
  vendor?: string;
}

const MODBUS_POINTS: DevicePoint[] = [
  { id: 'slave_address', name: 'Slave address', role: 'config', fc: 3, address: 0, type: 'uint16', min: 1, max: 247, writable: true, sim: { model: 'constant', value: 1 } },
  {
    id: 'value', name: 'Measured value (replace with the datasheet\'s first register)', unit: 'unit', fc: 3, address: 1, type: 'int16',
    scale: 0.1, min: -100, max: 1000, sim: { model: 'sine', mean: 20, amplitude: 5, periodMinutes: 1440, noise: 0.1 },
  },
  { id: 'status', name: 'Status word (replace or remove)', role: 'status', fc: 3, address: 2, type: 'uint16', sim: { model: 'constant', value: 0 } },
];

const DLT645_POINTS: DevicePoint[] = [
  { id: 'forward_active_energy', name: 'Forward active energy, total', unit: 'kWh', di: '00010000', min: 0, sim: { model: 'counter', start: 0, ratePerHour: 0.5 } },
  { id: 'voltage_a', name: 'Phase A voltage', unit: 'V', di: '02010100', min: 0, max: 300, sim: { model: 'sine', mean: 220, amplitude: 5, periodMinutes: 1440, noise: 0.4 } },
];

const CJT188_POINTS: DevicePoint[] = [
  { id: 'total_flow', name: 'Accumulated flow', unit: 'm³', di: '901F', field: 'cumulative_flow', min: 0, sim: { model: 'counter', start: 0, ratePerHour: 0.05 } },
];

/** The generated manifest, in the field order of the shipped ones. */
export function scaffoldManifest(options: ScaffoldOptions): DeviceManifest {
  const common = {
    $schema: options.schemaRef,
    id: options.id,
    name: options.name ?? `${options.id} (new device)`,
    vendor: options.vendor ?? 'unknown',
  };
  switch (options.protocol) {
    case 'modbus':
      return {
        ...common,
        category: 'other',
        protocol: 'modbus',
        description: 'Scaffolded by `axon manifest new`: replace the placeholder points with the register map from the datasheet.',
        line: { baud: 9600, parity: 'none', dataBits: 8, stopBits: 1 },
        defaultAddress: 1,
        pollPeriodS: 60,
        timeoutMs: 500,
        points: MODBUS_POINTS,
      };
    case 'dlt645':
      return {
        ...common,
        category: 'energy-meter',
        protocol: 'dlt645-2007',
        description: 'Scaffolded by `axon manifest new`: set the address printed on the nameplate and the data identifiers the meter answers.',
        line: { baud: 2400, parity: 'even', dataBits: 8, stopBits: 1 },
        defaultAddress: '000000000001',
        pollPeriodS: 900,
        timeoutMs: 1500,
        points: DLT645_POINTS,
      };
    case 'cjt188':
      return {
        ...common,
        category: 'water-meter',
        protocol: 'cjt188',
        description: 'Scaffolded by `axon manifest new`: set the 14-digit address printed on the meter.',
        line: { baud: 2400, parity: 'even', dataBits: 8, stopBits: 1 },
        defaultAddress: '00000000000001',
        pollPeriodS: 3600,
        timeoutMs: 1500,
        points: CJT188_POINTS,
      };
  }
}

/**
 * JSON as the shipped manifests are written: the device fields one per line,
 * each point on one line, so a diff shows one changed point as one changed line.
 */
export function manifestText(manifest: DeviceManifest): string {
  const lines = Object.entries(manifest).map(([key, value]) => {
    if (key !== 'points') return `  ${JSON.stringify(key)}: ${inline(value)}`;
    const points = (value as DevicePoint[]).map((p) => `    ${inline(p)}`);
    return `  "points": [\n${points.join(',\n')}\n  ]`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

function inline(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');
}

/** The device's README: what was generated, what to change, and the commands that check it. */
export function scaffoldReadme(manifest: DeviceManifest, manifestFile: string): string {
  const modbus = manifest.protocol === 'modbus';
  const address = modbus ? `unit id (\`defaultAddress\`, now ${String(manifest.defaultAddress)})` : `meter address (\`defaultAddress\`, now "${String(manifest.defaultAddress)}")`;
  const pointHelp = modbus
    ? 'For each value in the datasheet\'s register table add a point: `fc` (3 holding, 4 input registers, 1 coils, 2 discrete inputs), the zero-based `address` as sent on the wire (register 40002 is address 1), `type`, `scale` or `decimalsFrom`, `unit`, `min`/`max`. Mark settings an engineer may change `"role": "config", "writable": true`: only those can be written with `axon modbus write`.'
    : 'For each value, add a point with its data identifier (`di`) from the protocol table the meter\'s manual lists, its `unit` and plausible `min`/`max`.';
  return [
    `# ${manifest.name}`,
    '',
    `Manifest: \`${manifestFile}\` (protocol \`${manifest.protocol}\`), scaffolded by \`axon manifest new\`.`,
    'Every field is documented in manifests/README.md; the `$schema` line lets an editor complete and check it as you type.',
    '',
    '## What to fill in',
    '',
    `1. \`name\`, \`vendor\`, \`model\`, \`category\` and \`description\` from the datasheet.`,
    `2. The factory line settings (\`line\`: now ${manifest.line.baud} 8${manifest.line.parity[0].toUpperCase()}${manifest.line.stopBits}) and the ${address}.`,
    `3. The points. The generated ones are placeholders. ${pointHelp}`,
    '4. A `sim` block on every point, so the simulator behaves like the device (models in manifests/README.md, "Simulation models").',
    '',
    '## Check it',
    '',
    '```sh',
    `npx axon manifest validate ${manifestFile}`,
    `npx axon manifest conformance ${manifestFile}`,
    `npx axon sim device --manifest ${manifestFile} --pty /tmp/ttyV0`,
    '```',
    '',
    '`validate` checks the schema and the semantics (overlapping registers, data identifier formats);',
    '`conformance` runs the generic driver against this manifest\'s simulator over real framing;',
    '`sim device` serves the device on a virtual serial port for `axon modbus read` or the gateway.',
    '',
  ].join('\n');
}

/**
 * `axon manifest new <id> --protocol modbus|dlt645|cjt188`: a vendor's first
 * step. Writes a manifest (with `$schema`, and a `sim` block on every point) and
 * its README beside it, in the layout of manifests/devices/ (`<id>.json`, the
 * id equal to the file name), valid and conformant as generated.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AxonError } from '../../../drivers/errors.js';
import { MANIFEST_ID_PATTERN, SCAFFOLD_PROTOCOLS, manifestText, scaffoldManifest, scaffoldReadme } from '../../manifest/scaffold.js';
import { DEVICE_SCHEMA_PATH, validateDeviceManifest } from '../../manifest/validate.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';

const COMMAND = 'manifest new';

export const manifestNew: Command = {
  group: 'manifest',
  name: 'new',
  summary: 'scaffold a device manifest (with $schema and a simulator block) and its README; valid and conformant as generated',
  usage: '<id> --protocol modbus|dlt645|cjt188 [--dir <dir>] [--name <text>] [--vendor <text>]',
  positionals: '<id>  manifest id in kebab-case (a-z, 0-9, -); the file is <dir>/<id>.json',
  flags: {
    protocol: { type: 'string', value: '<modbus|dlt645|cjt188>', description: 'wire protocol (dlt645 scaffolds DL/T 645-2007)', required: true },
    dir: { type: 'string', value: '<dir>', description: 'where to write <id>.json and <id>.md', default: 'manifests/devices' },
    name: { type: 'string', value: '<text>', description: 'device name', default: '"<id> (new device)"' },
    vendor: { type: 'string', value: '<text>', description: 'manufacturer', default: 'unknown' },
  },
  details: [
    'Writes <dir>/<id>.json and <dir>/<id>.md and refuses to overwrite either. The points are',
    'placeholders a simulator can play: replace them with the datasheet\'s, then run',
    '`axon manifest validate` and `axon manifest conformance` on the file (the README lists the steps).',
  ].join('\n'),
  examples: [
    'axon manifest new acme-level-200 --protocol modbus --vendor Acme',
    'axon manifest new district-meter --protocol dlt645 --dir my-devices',
    'axon manifest new cold-water-dn20 --protocol cjt188',
  ],

  async run({ flags, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(`give exactly one manifest id, e.g. \`axon manifest new acme-level-200 --protocol modbus\` (got ${positionals.length})`, COMMAND);
    const id = positionals[0];
    if (!MANIFEST_ID_PATTERN.test(id) || id.length > 64) {
      throw new UsageError(`id "${id}" is not kebab-case: use lower-case letters, digits and "-", starting with a letter or digit, at most 64 characters`, COMMAND);
    }
    if (!flags.has('protocol')) throw new UsageError('missing required flag --protocol <modbus|dlt645|cjt188>', COMMAND);
    const protocol = flags.oneOf('protocol', SCAFFOLD_PROTOCOLS, 'modbus');
    const dir = flags.string('dir') ?? 'manifests/devices';
    const manifestFile = path.join(dir, `${id}.json`);
    const readmeFile = path.join(dir, `${id}.md`);
    for (const file of [manifestFile, readmeFile]) {
      if (existsSync(file)) {
        throw new AxonError('MANIFEST_EXISTS', `${file} already exists`, { where: file, fix: 'choose another id or --dir, or remove the file first' });
      }
    }
    const schemaRef = schemaRefFor(dir);
    const options = { id, protocol, schemaRef, ...optional('name', flags.string('name')), ...optional('vendor', flags.string('vendor')) };
    const manifest = scaffoldManifest(options);
    // The scaffold must be what it claims: a manifest the validator accepts.
    validateDeviceManifest(JSON.parse(manifestText(manifest)), manifestFile);
    mkdirSync(dir, { recursive: true });
    writeFileSync(manifestFile, manifestText(manifest), { flag: 'wx' });
    writeFileSync(readmeFile, scaffoldReadme(manifest, manifestFile), { flag: 'wx' });
    const count = manifest.points.length;
    io.out(`wrote ${manifestFile} (${manifest.protocol}, ${count} placeholder point${count === 1 ? '' : 's'}, each with a sim block)`);
    io.out(`wrote ${readmeFile} (what to fill in from the datasheet, and how to check it)`);
    io.err(`next: edit ${manifestFile}, then \`axon manifest validate ${manifestFile}\` and \`axon manifest conformance ${manifestFile}\``);
    return 0;
  },
};

/**
 * `$schema` for a manifest in `dir`: relative inside this repository (as the
 * shipped manifests have it, so it survives a clone elsewhere), the schema's
 * absolute path for a directory outside it.
 */
export function schemaRefFor(dir: string): string {
  const repoRoot = path.resolve(path.dirname(DEVICE_SCHEMA_PATH), '../..');
  const target = path.resolve(dir);
  const inside = target === repoRoot || target.startsWith(repoRoot + path.sep);
  return inside ? path.relative(target, DEVICE_SCHEMA_PATH).split(path.sep).join('/') : DEVICE_SCHEMA_PATH;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/**
 * `axon site validate --site <file>`: check a site file (schema, device
 * references, addresses on a bus, rules, outputs, uplink) and summarise what a
 * gateway would run from it: buses and devices, the alert rules (its defaults
 * merged with the site's own) and the uplink channels.
 */
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { siteRules } from '../../../drivers/rules/defaults.js';
import type { Command } from '../command.js';
import { MANIFESTS_FLAG, siteInputs } from './site-inputs.js';

export const siteValidate: Command = {
  group: 'site',
  name: 'validate',
  summary: 'check a site file and summarise what a gateway runs from it: buses, devices, rules, uplink channels',
  usage: '--site <file> [--manifests <dir>] [--json]',
  flags: {
    site: { type: 'string', value: '<file>', description: 'site file, e.g. manifests/sites/demo.json', required: true },
    manifests: MANIFESTS_FLAG,
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  details: 'Every problem is listed with its file, JSON path and fix (exit 1). Warnings (allowed but doubtful) go to stderr.\nThe bus timing is checked by `axon plan --site <file>`.',
  examples: ['axon site validate --site manifests/sites/demo.json', 'axon site validate --site my-site.json --manifests vendor/manifests --json'],

  async run({ flags }, io) {
    const { site, manifests } = siteInputs(flags, io);
    const rules = siteRules(site, manifests);
    const table = siteChannelTable(site, manifests, { rules });
    // Counted on what runs, not on the file: merging may drop or replace rules.
    const siteIds = new Set((site.rules ?? []).map((r) => r.id));
    const fromSite = rules.filter((r) => siteIds.has(r.id)).length;
    const summary = {
      site: site.id,
      name: site.name,
      uplink: site.uplink,
      buses: site.buses.map((bus) => ({ id: bus.id, port: bus.port, line: `${bus.baud} ${bus.dataBits ?? 8}${bus.parity[0].toUpperCase()}${bus.stopBits}`, devices: bus.devices.map((d) => `${d.id} (${d.manifest} @ ${String(d.address)})`) })),
      rules: { total: rules.length, site: fromSite, defaults: rules.length - fromSite },
      channels: table.channels.length,
      outputs: (site.outputs ?? []).map((o) => o.id),
    };
    if (flags.bool('json')) {
      io.out(JSON.stringify({ ok: true, ...summary }, null, 2));
      return 0;
    }
    const devices = site.buses.reduce((n, b) => n + b.devices.length, 0);
    io.out(`ok  site ${site.id} (${site.name}): ${site.buses.length} bus${site.buses.length === 1 ? '' : 'es'}, ${devices} devices, uplink ${site.uplink.kind}`);
    for (const bus of summary.buses) {
      io.out(`    bus ${bus.id}  ${bus.port}  ${bus.line}`);
      for (const device of bus.devices) io.out(`      ${device}`);
    }
    io.out(`    rules: ${summary.rules.total} (${summary.rules.site} from the site, ${summary.rules.defaults} defaults)`);
    io.out(`    channels: ${summary.channels} in the uplink channel table (\`axon codec --site ${flags.requiredString('site')}\` makes the decoder)`);
    if (summary.outputs.length > 0) io.out(`    outputs: ${summary.outputs.join(', ')}`);
    return 0;
  },
};

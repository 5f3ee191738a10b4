/**
 * What the site commands (site validate, codec, plan) read: the shipped device
 * manifests plus a vendor's own directory, then a validated site file.
 */
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { loadManifestDirectory } from '../../manifest/validate.js';
import { formatProblem, loadShippedManifests, loadSiteFile } from '../../site/validate.js';
import type { FlagSpec, Flags } from '../args.js';
import type { CommandIo } from '../command.js';

export const MANIFESTS_FLAG: FlagSpec = {
  type: 'string',
  value: '<dir>',
  description: "more device manifests (a vendor's own), besides manifests/devices; an id in both is taken from <dir>",
};

export function siteManifests(flags: Flags): Map<string, DeviceManifest> {
  const manifests = loadShippedManifests();
  const extra = flags.string('manifests');
  if (extra !== undefined) for (const m of loadManifestDirectory(extra)) manifests.set(m.id, m);
  return manifests;
}

/** The site file of --site, validated against `manifests`; warnings go to stderr. */
export function loadSite(flags: Flags, manifests: ReadonlyMap<string, DeviceManifest>, io: CommandIo): SiteFile {
  return loadSiteFile(flags.requiredString('site'), { manifests, onWarning: (warning) => io.err(`warning: ${formatProblem(warning)}`) });
}

/** The manifests (shipped plus --manifests) and the validated --site file: what every site command starts from. */
export function siteInputs(flags: Flags, io: CommandIo): { site: SiteFile; manifests: Map<string, DeviceManifest> } {
  const manifests = siteManifests(flags);
  return { site: loadSite(flags, manifests, io), manifests };
}

/**
 * `axon fleet sim`: many gateways (the real core, each on its own simulated
 * site) over one simulated LoRa channel to K base stations and the
 * network-server simulator, in virtual time (simulators/fleet). Prints
 * progress to stderr and a summary: delivery, duplicates, alert latency, air
 * and MAC figures; --json for the whole report.
 */
import { writeFileSync } from 'node:fs';
import { resolveFleet, runFleet, runFleetShard, type FleetOptions, type FleetProgress, type FleetReport } from '../../../simulators/fleet/fleet.js';
import { defaultWorkers, runFleetInWorkers, runShardInWorkers } from '../../../simulators/fleet/workers.js';
import type { RegionName } from '../../../drivers/lorawan/regions/types.js';
import type { Command, CommandIo } from '../command.js';
import { UsageError, type Flags } from '../args.js';
import { loadSite, MANIFESTS_FLAG, siteManifests } from './site-inputs.js';
import { demoSite } from '../../site/demo-site.js';
import { renderFleetHtml } from '../../../simulators/fleet/html-report.js';

const REGIONS: readonly RegionName[] = ['CN470', 'EU868', 'AS923', 'US915'];

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export function formatFleetReport(r: FleetReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const rx = r.air.receptions;
  return [
    `fleet: ${r.gateways} gateways (${r.devices} devices${r.gateways > 0 ? `, ${r.byteLevelGateways} on the byte-level RS-485 wire` : ''})${r.endDevices > 0 ? ` + ${r.endDevices} end devices = ${r.sensors} sensors` : ''} → ${r.baseStations} base station${r.baseStations === 1 ? '' : 's'}${r.cells > 1 ? ` in ${r.cells} cells` : ''}, ${r.region}, ${r.simulatedHours} h simulated (+ drain) in ${r.wallSeconds.toFixed(1)} s, seed ${r.seed}`,
    `joined      ${r.joined}/${r.gateways + r.endDevices} (${r.mac.joinRequests} join requests)`,
    `readings    ${r.samples} taken, ${r.readingsDecoded} decoded by the network (delivery ${pct(r.deliveryRatio)} of those framed); ${r.inFlight.queuedSamples} not yet framed, ${r.inFlight.pendingFrames} frames + ${r.inFlight.pendingAlerts} alerts still in logs, ${r.droppedReadings} dropped`,
    `repeats     ${r.readingsDuplicated} readings decoded more than once (at-least-once delivery: a frame whose ACK was lost is sent again; the platform removes repeats by content)`,
    `alerts      ${r.alerts.events} events (${r.alerts.raised} raised), ${r.alerts.decoded} decoded; latency p50 ${seconds(r.alerts.latencyMs.p50)}, p95 ${seconds(r.alerts.latencyMs.p95)}, max ${seconds(r.alerts.latencyMs.max)}`,
    `air         ${r.air.uplinks} uplinks, ${r.air.downlinks} downlinks, busiest minute ${r.air.busiestMinuteUplinks} frames heard; receptions ok ${rx.ok}, collision ${rx.collision}, inter-SF ${rx.interference}, weak ${rx.weak}, lost ${rx.lost}, base station busy transmitting ${rx['gateway-busy']}, demodulators busy ${rx['demodulators-busy']}`,
    `limits      ${r.limitedBy.length === 0 ? 'no base-station resource ran out' : `ran out of ${r.limitedBy.join(', ')}`}; lost to airtime ${r.losses.airtime}, demodulators ${r.losses.demodulators}, half duplex ${r.losses.halfDuplex}; downlinks refused by duty cycle ${r.losses.dutyCycle}`,
    `mac         ${r.mac.uplinks} frames, ${r.mac.retransmissions} retransmissions, ${r.mac.confirmedFailed} unacknowledged after every attempt (kept in the log, sent again); data rates ${Object.entries(r.mac.dataRates).sort().map(([dr, n]) => `${dr} ${n}`).join(', ')}`,
    ...(r.endDevices > 0 ? [`end devices ${r.endDevices} (smoke, waterlogging, hydrant pressure, manhole cover): ${r.endDeviceStats.reports} reports sent unconfirmed, ${r.endDeviceStats.sendFailures} frames the MAC could not deliver`] : []),
    `network     ${r.ns.uplinksAccepted} uplinks accepted, ${r.ns.retransmissions} retransmissions answered, ${r.ns.duplicates} duplicate receptions dropped, rejected ${Object.entries(r.ns.rejected).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; ${r.ns.crossChecked} frames cross-checked with lora-packet`,
  ].join('\n');
}

export function formatBaseStationRows(r: FleetReport): string {
  const rows = [['station', 'channels', 'gateways', 'ok', 'collision', 'inter-SF', 'half-duplex', 'demod-busy', 'downlinks', 'refused (duty cycle)', 'busiest hour']];
  for (const b of r.perBaseStation) {
    const rx = b.receptions;
    const share = Object.entries(b.busiestHourShare).map(([band, x]) => `${band} ${(x * 100).toFixed(2)} %`).join(', ') || '-';
    rows.push([b.id, `${b.channels[0]}–${b.channels[b.channels.length - 1]}`, String(b.gateways), String(rx.ok), String(rx.collision), String(rx.interference), String(rx['gateway-busy']), String(rx['demodulators-busy']), String(b.downlinks), String(b.downlinksRefused['duty-cycle']), share]);
  }
  return table(rows);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => '  ' + row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function formatGatewayRows(r: FleetReport): string {
  const rows = [['devEUI', 'path loss', 'DR', 'samples', 'decoded', 'queued', 'alerts', 'frames', 'retx', 'unacked']];
  for (const g of r.perGateway) rows.push([g.devEui, `${g.pathLossDb} dB`, String(g.dataRate), String(g.samples), String(g.readingsDecoded), String(g.queuedSamples), String(g.alertEvents), String(g.frames), String(g.retransmissions), String(g.confirmedFailed)]);
  return table(rows);
}

export const HTML_FLAG = { type: 'string', value: '<file>', description: 'also write the report as one self-contained HTML page (no network needed): delivery over time, alert latency distribution, air load per base station on a map of the district, worst gateways' } as const;

/** `--html <file>`: the report as a self-contained page (simulators/fleet/html-report.ts). */
export function writeHtmlReport(flags: Flags, report: FleetReport, io: CommandIo): void {
  const file = flags.string('html');
  if (file === undefined) return;
  try {
    writeFileSync(file, renderFleetHtml(report));
  } catch (error) {
    throw new UsageError(`--html ${file}: cannot write the report there (${error instanceof Error ? error.message : String(error)}); give a path in a directory that exists and is writable`, flags.command);
  }
  io.err(`HTML report written to ${file}`);
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Progress on stderr: simulated time, the rate in sensor-hours per second and an ETA. */
export function progressPrinter(io: CommandIo, sensorHours: number): (p: FleetProgress) => void {
  const started = Date.now();
  return (p) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? (p.done * sensorHours) / elapsed : 0;
    const eta = p.done > 0 ? (elapsed * (1 - p.done)) / p.done : Number.POSITIVE_INFINITY;
    const where = p.cells === 1 ? `simulated ${Math.round(p.minute)}/${p.totalMinutes} min` : `cells ${p.cellsDone}/${p.cells} done, simulated ${(p.done * 100).toFixed(1)} %`;
    const line = `${where}: ${p.cells === 1 ? `${p.joined} joined, ` : ''}${p.decodedReadings} readings and ${p.alertsDecoded} alerts decoded; ${Math.round(rate)} sensor-h/s, ETA ${p.done >= 1 ? '0 s' : duration(eta)}`;
    if (io.errIsTty) process.stderr.write(`\r${line}\u001b[K${p.done >= 1 ? '\n' : ''}`);
    else io.err(line);
  };
}

/** "0.2,0.8" style shares from --mix gateways:0.2,end-devices:0.8. */
function parseMix(text: string, command: string): { gateways: number; endDevices: number } {
  const shares = { gateways: 0, endDevices: 0 };
  for (const part of text.split(',')) {
    const [name, value] = part.split(':').map((x) => x.trim());
    const share = Number(value);
    if ((name !== 'gateways' && name !== 'end-devices') || value === undefined || !Number.isFinite(share) || share < 0) {
      throw new UsageError(`--mix ${text}: each part is gateways:<share> or end-devices:<share> with a share ≥ 0, e.g. gateways:0.2,end-devices:0.8`, command);
    }
    if (name === 'gateways') shares.gateways = share;
    else shares.endDevices = share;
  }
  if (shares.gateways + shares.endDevices <= 0) throw new UsageError(`--mix ${text}: the shares add up to 0`, command);
  return shares;
}

/** "i/n" with 0 ≤ i < n (0-based, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX). */
function parseShard(text: string, command: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match === null ? NaN : Number(match[1]);
  const count = match === null ? NaN : Number(match[2]);
  if (!(count >= 1 && index >= 0 && index < count)) throw new UsageError(`--shard ${text}: give i/n with 0 ≤ i < n, e.g. --shard 0/4 … 3/4`, command);
  return { index, count };
}

export function fleetOptionsFromFlags(flags: Flags, io: CommandIo): FleetOptions {
  const manifests = siteManifests(flags);
  const site = flags.has('site') ? loadSite(flags, manifests, io) : demoSite();
  const region = flags.has('region') ? flags.oneOf('region', REGIONS, 'CN470') : undefined;
  const bySensors = flags.has('sensors');
  if (bySensors && flags.has('gateways')) throw new UsageError('give --sensors (with --mix) or --gateways, not both', flags.command);
  if (flags.has('mix') && !bySensors) throw new UsageError('--mix shares out --sensors: give --sensors too', flags.command);
  const options: FleetOptions = {
    site,
    manifests,
    region,
    hours: flags.int('hours', { min: 1, max: 24 * 365, default: 6 }),
    ...(flags.has('flush-minutes') ? { flushMinutes: flags.int('flush-minutes', { min: 1, max: 1440, default: 5 }) } : {}),
    seed: flags.int('seed', { min: 0, max: 2 ** 31 - 1, default: 1 }),
  };
  if (bySensors) {
    options.sensors = flags.int('sensors', { min: 1, max: 100_000_000, default: 1 });
    if (flags.has('mix')) options.mix = parseMix(flags.string('mix') as string, flags.command);
  } else {
    options.gateways = flags.int('gateways', { min: 0, max: 10_000_000, default: 10 });
    options.endDevices = flags.int('end-devices', { min: 0, max: 100_000_000, default: 0 });
    if (options.gateways + options.endDevices === 0) throw new UsageError('the fleet has no devices: give --gateways or --end-devices above 0 (or --sensors)', flags.command);
  }
  if (flags.has('base-stations')) options.baseStations = flags.int('base-stations', { min: 1, max: 1_000_000, default: 1 });
  if (flags.has('sub-bands')) options.subBands = flags.int('sub-bands', { min: 1, max: 12, default: 1 });
  if (flags.has('demodulators')) options.demodulators = flags.int('demodulators', { min: 1, max: 1024, default: 16 });
  if (flags.has('cells')) options.cells = flags.int('cells', { min: 1, max: 1_000_000, default: 1 });
  if (flags.has('wire')) options.wire = flags.oneOf('wire', ['image', 'full'] as const, 'image');
  if (flags.has('area-km')) options.areaKm = flags.int('area-km', { min: 1, max: 1000, default: 3 });
  return options;
}

export const fleetSim: Command = {
  group: 'fleet',
  name: 'sim',
  summary: 'simulate a district of Axon gateways and LoRaWAN end devices in virtual time: delivery, alert latency, air load',
  usage: '[--gateways <n> [--end-devices <n>] | --sensors <n> [--mix gateways:<share>,end-devices:<share>]] [--base-stations <n>] [--sub-bands <n>] [--demodulators <n>] [--cells <n>] [--hours <h>] [--workers <n>] [--shard <i/n>] [--out <file>] [--site <file>] [--region <r>] [--flush-minutes <m>] [--area-km <km>] [--seed <n>] [--wire image|full] [--per-gateway] [--json] [--html <file>]',
  flags: {
    gateways: { type: 'string', value: '<n>', description: 'number of Axon gateways (each runs --site; its sensors are the site\'s devices)', default: '10' },
    'end-devices': { type: 'string', value: '<n>', description: 'number of direct LoRaWAN end devices (smoke, waterlogging, hydrant pressure, manhole cover), with --gateways', default: '0' },
    sensors: { type: 'string', value: '<n>', description: 'size the district by sensors instead: field devices on gateways plus end devices (one cell per 2,000 sensors, 1 km² and one base station each)' },
    mix: { type: 'string', value: 'gateways:<share>,end-devices:<share>', description: 'how --sensors splits between Axon gateways and end devices', default: 'gateways:0.2,end-devices:0.8' },
    'base-stations': { type: 'string', value: '<n>', description: 'number of LoRaWAN base stations in the district, shared out over the cells', default: 'one per cell' },
    'sub-bands': { type: 'string', value: '<n>', description: 'sub-bands of 8 channels the base stations use: station k hears sub-band k mod n; each gateway and end device gets its nearest station\'s', default: '1' },
    demodulators: { type: 'string', value: '<n>', description: 'demodulators per base station: packets it can receive at once', default: '16, an SX1302\'s' },
    cells: { type: 'string', value: '<n>', description: 'independent radio cells the district is cut into (the unit of --workers and --shard)', default: '1; with --sensors one per 2,000 sensors' },
    workers: { type: 'string', value: '<n>', description: 'worker threads running cells in parallel (same report for any number)', default: 'the cores' },
    shard: { type: 'string', value: '<i/n>', description: 'run only shard i of n (0-based: every n-th cell from cell i) and write a partial report for `axon fleet merge`' },
    out: { type: 'string', value: '<file>', description: 'with --shard: write the partial report here instead of stdout' },
    hours: { type: 'string', value: '<h>', description: 'simulated hours (then 20 min for the logs to drain)', default: '6' },
    site: { type: 'string', value: '<file>', description: 'the site every gateway runs, each with its own device seeds', default: 'the demo site' },
    manifests: MANIFESTS_FLAG,
    region: { type: 'string', value: '<CN470|EU868|AS923|US915>', description: "LoRaWAN region", default: "the site's" },
    'flush-minutes': { type: 'string', value: '<m>', description: 'batch flush period of every gateway', default: '5' },
    'area-km': { type: 'string', value: '<km>', description: 'side of the square district; devices and base stations are placed at random in their cell', default: '3; with --sensors √cells' },
    wire: { type: 'string', value: '<image|full>', description: "how the gateways' RS-485 field devices are simulated: image answers reads from each device's register image (same readings at the same times) and keeps the byte-level wire for 1 gateway in 100; full puts every gateway on the byte-level wire", default: 'image' },
    seed: { type: 'string', value: '<n>', description: 'seeds placement, shadowing, devices, MAC jitter and radio dice: the same seed replays the same run', default: '1' },
    'per-gateway': { type: 'boolean', description: 'also list every gateway: path loss to the nearest base station, final DR, samples, decoded, retransmissions' },
    json: { type: 'boolean', description: 'print the whole report as JSON (per-gateway rows included)' },
    html: HTML_FLAG,
  },
  details: [
    'Every gateway is the real core (scheduler, drivers, rules, batches, store-and-forward log, LoRaWAN class A MAC with',
    'OTAA, ADR and confirmed frames) on a simulated site; end devices are our MAC and framing alone (reports every 5–60 min,',
    'unconfirmed; alarms confirmed). The channel models airtime, collisions with capture, inter-SF interference (Croce et',
    'al. 2018), path loss (log-distance, 120 dB at 1 km, exponent 3.5, 6 dB shadowing) and base stations as SX1302',
    'concentrators: 8 channels (one sub-band), 16 demodulators, half duplex, the region\'s downlink duty cycle. The report',
    'says which of their resources ran out (airtime, demodulators, half duplex, duty cycle). The network server is the',
    'simulator of `axon ns sim` (our core on every frame, lora-packet on 1 in 1,000 and every join, ADR, dedup across base',
    'stations), with the platform\'s application-ack service beside it (docs/app-ack.md).',
    'The district is cut into cells that never interact (neighbouring cells on other sub-bands), so cells run in worker',
    'threads (--workers) or other machines (--shard i/n, then `axon fleet merge`) and the report is the same.',
    'The demo site has a storm and a fire on its timeline, so every gateway raises alerts in the same hours, as a real storm would.',
    'Progress (simulated time, sensor-hours per second, ETA) goes to stderr. Speed: docs/fleet-sim.md, `npm run -s bench -- fleet`.',
  ].join('\n'),
  examples: [
    'axon fleet sim --gateways 20 --hours 3',
    'axon fleet sim --gateways 60 --base-stations 3 --hours 6 --json > fleet.json',
    'axon fleet sim --gateways 100 --base-stations 10 --sub-bands 10 --hours 3',
    'axon fleet sim --sensors 100000 --mix gateways:0.2,end-devices:0.8 --hours 1 --workers 2',
    'axon fleet sim --sensors 20000 --hours 3 --html fleet.html   # open fleet.html in a browser',
    'axon fleet sim --sensors 1000000 --hours 24 --shard 0/4 --out part-0.json   # then: axon fleet merge part-*.json',
  ],

  async run({ flags }, io) {
    const options = fleetOptionsFromFlags(flags, io);
    const resolved = resolveFleet(options);
    const sensors = resolved.district.gateways * resolved.run.devicesPerSite + resolved.district.endDevices;
    const workers = Math.min(flags.int('workers', { min: 1, max: 1024, default: defaultWorkers() }), resolved.run.cells);
    const shard = flags.has('shard') ? parseShard(flags.string('shard') as string, flags.command) : undefined;
    if (flags.has('out') && shard === undefined) throw new UsageError('--out writes a partial report: give --shard i/n too', flags.command);
    if (flags.has('html') && shard !== undefined) throw new UsageError('--html draws the whole run: a shard has only some cells; give --html to `axon fleet merge` with all the parts', flags.command);
    const share = shard === undefined ? 1 : Math.ceil((resolved.run.cells - shard.index) / shard.count) / resolved.run.cells;
    options.onProgress = progressPrinter(io, sensors * share * (resolved.hours + resolved.drainMinutes / 60));
    if (shard !== undefined) {
      const partial = workers > 1 ? await runShardInWorkers(options, shard, workers) : await runFleetShard(options, shard);
      const text = JSON.stringify(partial);
      const out = flags.string('out');
      if (out === undefined) io.out(text);
      else {
        writeFileSync(out, text);
        io.err(`shard ${shard.index}/${shard.count}: ${partial.parts.length} of ${resolved.run.cells} cells written to ${out}`);
      }
      return 0;
    }
    const report = workers > 1 ? await runFleetInWorkers(options, workers) : await runFleet(options);
    writeHtmlReport(flags, report, io);
    if (flags.bool('json')) io.out(JSON.stringify(report, null, 2));
    else io.out([formatFleetReport(report), formatBaseStationRows(report), ...(flags.bool('per-gateway') ? [formatGatewayRows(report)] : [])].join('\n\n'));
    return 0;
  },
};

/**
 * A district as the fleet simulator lays it out: Axon gateways and direct
 * end devices in a square, cut into cells. A cell is a tile of the square
 * with its own base stations; cells are separated (neighbouring cells on
 * different sub-bands, as operators plan them), so a device is heard only in
 * its cell and cells never interact. That is what lets a run be split across
 * worker threads or machines (`--workers`, `--shard`) and merged back into
 * exactly the one-process report.
 *
 * Every cell is planned from the seed and its own index alone, so any process
 * can plan any cell without the others. With one cell the draws are the same
 * as they always were (stations, then gateways), so a seed replays the
 * districts of earlier versions.
 */
import { mulberry32 } from '../models/prng.js';
import { END_DEVICE_KINDS } from './end-device.js';

export interface DistrictOptions {
  gateways: number;
  endDevices: number;
  /** Number of cells (default 1). */
  cells: number;
  /** Base stations in the whole district (default one per cell); each cell gets its share. */
  baseStations: number;
  /** Sub-bands of 8 channels the base stations use: station k (district-wide) hears sub-band k mod subBands (default 1). */
  subBands?: number;
  /** Side of the square district, km. */
  areaKm: number;
  seed: number;
}

export interface PlannedStation {
  id: string;
  x: number;
  y: number;
  /** The sub-band its 8-channel concentrator hears (base-stations.ts). */
  subBand: number;
}

export interface PlannedDevice {
  /** Index in the district (gateways and end devices are numbered separately). */
  index: number;
  devEui: string;
  appKey: string;
  /** Where it is in the district, km from the south-west corner (for the report's map). */
  x: number;
  y: number;
  /** Path loss to each base station of the cell, dB. */
  lossDb: Record<string, number>;
  /** Its nearest base station (least path loss): the installer provisions the device with that station's sub-band. */
  station: PlannedStation;
  /** When it powers up, ms after the start. */
  startAtMs: number;
}

export interface PlannedEndDevice extends PlannedDevice {
  /** Index in END_DEVICE_KINDS. */
  kind: number;
}

export interface CellPlan {
  index: number;
  stations: PlannedStation[];
  gateways: PlannedDevice[];
  endDevices: PlannedEndDevice[];
  /** Seeds the cell's radio channel (collision and loss dice). */
  channelSeed: number;
}

const MINUTE = 60_000;

/** Log-distance path loss with lognormal shadowing, dB: 120 dB at 1 km, exponent 3.5. */
export function pathLossDb(distanceKm: number, shadowDb: number): number {
  return 120 + 35 * Math.log10(Math.max(distanceKm, 0.05)) + shadowDb;
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Base stations in cell `c`: the district's count shared out, at least one each. */
export function stationsInCell(district: DistrictOptions, c: number): { first: number; count: number } {
  const per = Math.max(1, Math.round(district.baseStations / district.cells));
  return { first: c * per, count: per };
}

/** Members of a cell: every `cells`-th device, starting at the cell's index. */
function membersOf(total: number, cells: number, c: number): number[] {
  const out: number[] = [];
  for (let i = c; i < total; i += cells) out.push(i);
  return out;
}

export function gatewayDevEui(index: number): string {
  return `0004a30b${(0x200000 + index).toString(16).padStart(8, '0')}`;
}

export function endDeviceDevEui(index: number): string {
  return `0004a30c${index.toString(16).padStart(8, '0')}`;
}

export function planCell(district: DistrictOptions, c: number): CellPlan {
  const { seed, cells } = district;
  // Cell 0 draws from the generator every earlier version used for the whole district.
  const random = mulberry32(seed * 7919 + 17 + c * 104_729);
  const columns = Math.ceil(Math.sqrt(cells));
  const side = district.areaKm / columns;
  const x0 = (c % columns) * side;
  const y0 = Math.floor(c / columns) * side;
  const place = () => ({ x: x0 + random() * side, y: y0 + random() * side });
  const { first, count } = stationsInCell(district, c);
  const subBands = district.subBands ?? 1;
  const stations = Array.from({ length: count }, (_, k) => ({ id: `bs-${first + k + 1}`, ...place(), subBand: (first + k) % subBands }));
  const locate = () => {
    const { x, y } = place();
    const lossDb: Record<string, number> = {};
    for (const s of stations) lossDb[s.id] = pathLossDb(Math.hypot(s.x - x, s.y - y), 6 * normal(random));
    const station = stations.reduce((best, s) => (lossDb[s.id] < lossDb[best.id] ? s : best));
    return { x, y, lossDb, station };
  };
  const gateways = membersOf(district.gateways, cells, c).map((i) => {
    const { x, y, lossDb, station } = locate();
    // Each gateway its own AppKey (the last 32 bits spread by a Weyl step), so no two sessions share keys.
    const appKey = `2b7e151628aed2a6abf71588${(Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}`;
    return { index: i, devEui: gatewayDevEui(i), appKey, x, y, lossDb, station, startAtMs: Math.floor(random() * 2 * MINUTE) };
  });
  const endDevices = membersOf(district.endDevices, cells, c).map((j) => {
    const { x, y, lossDb, station } = locate();
    const appKey = `3c4f2a8d09b1e5c7a6d2f0e8${(Math.imul(j + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}`;
    // End devices power up over the first ten minutes (a district does not boot at once).
    return { index: j, devEui: endDeviceDevEui(j), appKey, x, y, lossDb, station, startAtMs: Math.floor(random() * 10 * MINUTE), kind: j % END_DEVICE_KINDS.length };
  });
  return { index: c, stations, gateways, endDevices, channelSeed: seed + c * 1_000_033 };
}

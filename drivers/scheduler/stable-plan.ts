/**
 * Read plans that stay put. planReads() is a pure function of the point set,
 * so a new point inside (or next to) an existing range changes that range —
 * and a field engineer comparing bus captures before and after an edit sees
 * every request move (DESIGN.md §3 field complaint). extendPlan() keeps every
 * existing request exactly as it was and gives new points requests of their
 * own; only an explicit replan (planReads from scratch) coalesces them.
 */
import type { ModbusPoint } from '../devices/manifest.js';
import { planReads, pointSpan, type ReadPlanOptions, type ReadRequest } from '../devices/read-plan.js';

function covers(request: ReadRequest, point: ModbusPoint): boolean {
  return point.fc === request.fc && point.address >= request.address && point.address + pointSpan(point) <= request.address + request.count;
}

function inAddressOrder(ids: string[], byId: ReadonlyMap<string, ModbusPoint>): string[] {
  return ids.sort((a, b) => {
    const pa = byId.get(a) as ModbusPoint;
    const pb = byId.get(b) as ModbusPoint;
    if (pa.address !== pb.address) return pa.address - pb.address;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * The plan for `points`, starting from `previous`:
 *  - every previous request that still serves a point keeps its fc, address
 *    and count (points that vanished or moved out of it are dropped from it);
 *  - a new point that lies wholly inside a kept request joins it (no extra
 *    bytes on the wire);
 *  - the remaining new points are planned among themselves with planReads and
 *    appended after the kept requests.
 * The result is complete (every point in exactly one request) like planReads.
 */
export function extendPlan(previous: readonly ReadRequest[], points: readonly ModbusPoint[], options: ReadPlanOptions = {}): ReadRequest[] {
  const byId = new Map(points.map((p) => [p.id, p]));
  const placed = new Set<string>();
  const kept: ReadRequest[] = [];
  for (const request of previous) {
    const ids = request.points.filter((id) => {
      const point = byId.get(id);
      return point !== undefined && !placed.has(id) && covers(request, point);
    });
    if (ids.length === 0) continue;
    for (const id of ids) placed.add(id);
    kept.push({ fc: request.fc, address: request.address, count: request.count, points: ids });
  }
  const leftover: ModbusPoint[] = [];
  for (const point of points) {
    if (placed.has(point.id)) continue;
    const home = kept.find((request) => covers(request, point));
    if (home === undefined) leftover.push(point);
    else home.points.push(point.id);
    placed.add(point.id);
  }
  for (const request of kept) inAddressOrder(request.points, byId);
  return [...kept, ...planReads(leftover, options)];
}

/** True when two plans send exactly the same requests in the same order. */
export function samePlan(a: readonly ReadRequest[], b: readonly ReadRequest[]): boolean {
  return a.length === b.length && a.every((r, i) => r.fc === b[i].fc && r.address === b[i].address && r.count === b[i].count);
}

/**
 * Small SVG building blocks for the fleet's HTML report (html-report.ts):
 * escaping, number formats, nice axis ticks, colour scales. Strings in, strings
 * out; nothing here knows about fleets.
 */

export function esc(text: string | number): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate with at most one decimal (keeps the file small). */
export const px = (v: number): string => String(Math.round(v * 10) / 10);

/** 1234567 → "1,234,567". */
export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1234567 → "1.2 M", 4321 → "4.3 k". */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)} M`;
  if (a >= 1e4) return `${Math.round(n / 1e3)} k`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

export function percent(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** Milliseconds as people read a latency: "850 ms", "4.2 s", "3 min 10 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Ticks at 1, 2 or 5 × 10^k from lo to hi, about `count` of them. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** The smallest nice number ≥ v (1, 2, 2.5, 5 × 10^k), for an axis maximum. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= v) ?? 10 * magnitude);
}

/** Green (0) through amber to red (1): for shares lost. */
export function lossColour(share: number): string {
  const x = Math.max(0, Math.min(1, share));
  // Hue 145 (green) → 40 (amber) → 0 (red), the steep part where losses start to matter.
  const hue = x < 0.1 ? 145 - (x / 0.1) * 105 : 40 - Math.min(1, (x - 0.1) / 0.3) * 40;
  return `hsl(${Math.round(hue)} 70% 45%)`;
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

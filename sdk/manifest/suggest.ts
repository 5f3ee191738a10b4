/** "did you mean …?" for misspelt enum values and field names. */

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1), swapped ? diagonal : Infinity);
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The candidate closest to `value`, when it is close enough to be what was meant. */
export function closestMatch(value: unknown, candidates: readonly unknown[]): string | undefined {
  const text = String(value).toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const name = String(candidate);
    const distance = editDistance(text, name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(text.length / 3));
  if (best !== undefined && bestDistance <= tolerance) return best !== String(value) ? best : undefined;
  // A truncated value ('dlt645' for 'dlt645-2007') is far in edits but plainly meant.
  if (text.length >= 3) return candidates.map(String).find((name) => name.toLowerCase().startsWith(text));
  return undefined;
}

/** ` (did you mean 'float32'?)` or the empty string. */
export function didYouMean(value: unknown, candidates: readonly unknown[]): string {
  const match = closestMatch(value, candidates);
  return match === undefined ? '' : ` (did you mean '${match}'?)`;
}

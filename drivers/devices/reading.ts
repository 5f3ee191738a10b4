/** The outcome of reading one device point: a value, or the error that prevented it. Shared by all device drivers. */
export type PointReading = { ok: true; value: number | boolean; unit?: string } | { ok: false; error: Error & { code?: string } };

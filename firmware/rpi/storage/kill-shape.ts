/**
 * The store shape of the kill test, shared by the writer child and the parent
 * that reopens the same directory: small segments so rotation, reclaiming and
 * drops happen many times within a few seconds of work.
 */
export const KILL_STORE_SHAPE = { capacityBytes: 16 * 1024, segmentBytes: 1024, syncAfterReadings: 8, syncAfterBytes: 512 };

/**
 * Make a directory entry change (create, rename, unlink) durable. On Linux a
 * file's fsync does not cover its name in the directory; without this a
 * power cut can undo a segment's creation or deletion after we relied on it.
 */
import { closeSync, openSync } from 'node:fs';
import { diskSync } from './disk-sync.js';

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    diskSync.fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flat names only: the ports promise a single directory, and this keeps a name from escaping it. */
export function checkFlatName(name: string, what: string): void {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(name) || name === '.' || name === '..') {
    throw new Error(`${what} name ${JSON.stringify(name)} must be 1-128 characters of A-Z a-z 0-9 . _ -`);
  }
}

/**
 * A gateway's data directory is private to the gateway user: it holds the
 * readings not yet sent, the alarm state and, on LoRaWAN builds, session keys.
 * Directories are created 0700 and files 0600, and a directory written by an
 * older version (0755 / 0644) is tightened at start.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create `dir` (and its parents) as 0700. */
export function makePrivateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Create `dir` if needed, then make it and everything under it private
 * (directories 0700, files 0600; symlinks and sockets left alone). Returns the
 * paths whose mode it changed, for the log.
 */
export function tightenDirectory(dir: string): string[] {
  makePrivateDirectory(dir);
  const changed: string[] = [];
  const visit = (entry: string) => {
    const stat = lstatSync(entry);
    const want = stat.isDirectory() ? PRIVATE_DIR_MODE : stat.isFile() ? PRIVATE_FILE_MODE : undefined;
    if (want === undefined) return;
    if ((stat.mode & 0o777) !== want) {
      chmodSync(entry, want);
      changed.push(entry);
    }
    if (stat.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
  };
  visit(dir);
  return changed;
}

/**
 * The calls that push data to the disk, in one object so a test can count
 * which of them run on the event loop (the synchronous ones) and which on
 * libuv's thread pool (group-commit.ts). Everything in this directory syncs
 * through it.
 */
import { fdatasync, fdatasyncSync, fsync, fsyncSync } from 'node:fs';

export const diskSync = {
  fdatasyncSync: (fd: number): void => fdatasyncSync(fd),
  fsyncSync: (fd: number): void => fsyncSync(fd),
  fdatasync: (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => fdatasync(fd, done),
  fsync: (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => fsync(fd, done),
};

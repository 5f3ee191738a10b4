/**
 * Group commits: the Pi's storage makes writes durable off the event loop.
 *
 * Every write still happens at once, with a synchronous write() or rename()
 * (so a killed process loses nothing: the page cache survives it). Only the
 * fsync/fdatasync that protect against a power cut are queued here, and every
 * request made in one turn of the event loop, and while a commit runs, is
 * served by one commit on libuv's thread pool: log files first, then replaced
 * key-value files, then the directories whose entries changed, so a persisted
 * acknowledgement is never made durable ahead of the records it covers.
 *
 * Why: an fsync costs 2.5 ms typically and 23 ms at worst on a Pi's SD card
 * (issue 11). Done on the event loop for every alarm transition (the alert
 * record, the log's meta entry, the alarm state: five syncs), a burst of
 * offline alarms stalled polling long enough to time out more polls, which
 * raised more alarms: one 200 polls/s run collapsed to 20 polls/s and never
 * recovered. The price is that a power cut may take back what was written in
 * the last few milliseconds, which the readers handle (the log cuts a torn
 * tail, the meta entry and alarm records are checked and fall back safely:
 * docs/store-and-forward.md).
 */
import { close, open } from 'node:fs';
import { diskSync } from './disk-sync.js';

export interface GroupCommitStats {
  /** Commits run (each covers every request made since the previous one began). */
  commits: number;
  /** fdatasync/fsync calls made by commits, on the thread pool. */
  syncs: number;
  /** Sync calls that failed (disk errors); reported through onError as well. */
  errors: number;
}

type Done = (error: NodeJS.ErrnoException | null) => void;

export class GroupCommit {
  readonly stats: GroupCommitStats = { commits: 0, syncs: 0, errors: 0 };
  readonly #onError: (error: Error) => void;
  /** Open log files (append handles) to fdatasync. */
  #fds = new Set<number>();
  /** Files replaced by rename, to fsync by path (the latest version is what counts). */
  #paths = new Set<string>();
  /** Directories whose entries changed. */
  #dirs = new Set<string>();
  #running = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: { onError?: (error: Error) => void } = {}) {
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Everything appended to this open file so far becomes durable at the next commit. */
  dataSync(fd: number): void {
    this.#fds.add(fd);
    this.#schedule();
  }

  /** A file replaced by rename (its content), and the directory that names it. */
  fileReplaced(file: string, dir: string): void {
    this.#paths.add(file);
    this.#dirs.add(dir);
    this.#schedule();
  }

  /** A directory entry was created or removed. */
  directoryChanged(dir: string): void {
    this.#dirs.add(dir);
    this.#schedule();
  }

  /** The file is about to be closed: sync it now if a commit still owes it, so no commit touches a reused descriptor. */
  closing(fd: number): void {
    if (!this.#fds.delete(fd)) return;
    this.stats.syncs++;
    diskSync.fdatasyncSync(fd);
  }

  /** Resolves once everything requested so far is durable. */
  idle(): Promise<void> {
    if (!this.#running && this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  get #pending(): number {
    return this.#fds.size + this.#paths.size + this.#dirs.size;
  }

  #schedule(): void {
    if (this.#running) return; // the running commit starts another when it ends
    this.#running = true;
    // After this turn of the event loop: everything requested in it joins the same commit.
    setImmediate(() => void this.#commit());
  }

  async #commit(): Promise<void> {
    while (this.#pending > 0) {
      const fds = [...this.#fds];
      const paths = [...this.#paths];
      const dirs = [...this.#dirs];
      this.#fds.clear();
      this.#paths.clear();
      this.#dirs.clear();
      this.stats.commits++;
      await Promise.all(fds.map((fd) => this.#sync(fd, diskSync.fdatasync)));
      await Promise.all(paths.map((file) => this.#syncPath(file)));
      await Promise.all(dirs.map((dir) => this.#syncPath(dir)));
    }
    this.#running = false;
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  #sync(fd: number, call: (fd: number, done: Done) => void): Promise<void> {
    this.stats.syncs++;
    return new Promise((resolve) => {
      call(fd, (error) => {
        // EBADF: the log closed the file after syncing it itself (closing()); nothing is owed.
        if (error !== null && error.code !== 'EBADF') this.#fail(error);
        resolve();
      });
    });
  }

  #syncPath(file: string): Promise<void> {
    return new Promise((resolve) => {
      open(file, 'r', (openError, fd) => {
        // ENOENT: replaced or removed again since; the newer change has its own request.
        if (openError !== null) {
          if (openError.code !== 'ENOENT') this.#fail(openError);
          resolve();
          return;
        }
        void this.#sync(fd, diskSync.fsync).then(() => close(fd, () => resolve()));
      });
    });
  }

  #fail(error: NodeJS.ErrnoException): void {
    this.stats.errors++;
    this.#onError(error);
  }
}

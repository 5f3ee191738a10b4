/**
 * A binary min-heap of timers ordered by due time, ties by id (scheduling
 * order), with each timer's position kept in it so a cancel removes it in
 * O(log n) instead of a scan. Used by VirtualClock; runtime-neutral.
 */
export interface HeapTimer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
  /** Index in the heap array, −1 once fired or cancelled. */
  slot: number;
}

const before = (a: HeapTimer, b: HeapTimer) => a.due < b.due || (a.due === b.due && a.id < b.id);

export class TimerHeap {
  readonly #items: HeapTimer[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): HeapTimer | undefined {
    return this.#items[0];
  }

  push(timer: HeapTimer): void {
    timer.slot = this.#items.length;
    this.#items.push(timer);
    this.#up(timer.slot);
  }

  /** Take the earliest timer if it is due at or before `limit`. */
  popDueBy(limit: number): HeapTimer | undefined {
    const top = this.#items[0];
    if (top === undefined || top.due > limit) return undefined;
    this.#removeAt(0);
    return top;
  }

  /** Remove a pending timer; a handle that already fired, or one this heap never held, is ignored. */
  remove(handle: { readonly id: number }): void {
    const items = this.#items;
    const slot = (handle as Partial<HeapTimer>).slot;
    if (typeof slot === 'number') {
      if (slot >= 0 && items[slot] === handle) this.#removeAt(slot);
      return;
    }
    // A handle not made by this heap (a copy of { id }): find it the slow way.
    const index = items.findIndex((t) => t.id === handle.id);
    if (index >= 0) this.#removeAt(index);
  }

  #removeAt(index: number): void {
    const items = this.#items;
    const removed = items[index];
    removed.slot = -1;
    const last = items.pop() as HeapTimer;
    if (index === items.length) return;
    items[index] = last;
    last.slot = index;
    if (index > 0 && before(last, items[(index - 1) >> 1])) this.#up(index);
    else this.#down(index);
  }

  #up(index: number): void {
    const items = this.#items;
    const timer = items[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(timer, items[parent])) break;
      items[index] = items[parent];
      items[index].slot = index;
      index = parent;
    }
    items[index] = timer;
    timer.slot = index;
  }

  #down(index: number): void {
    const items = this.#items;
    const n = items.length;
    const timer = items[index];
    for (;;) {
      let child = 2 * index + 1;
      if (child >= n) break;
      if (child + 1 < n && before(items[child + 1], items[child])) child++;
      if (!before(items[child], timer)) break;
      items[index] = items[child];
      items[index].slot = index;
      index = child;
    }
    items[index] = timer;
    timer.slot = index;
  }
}

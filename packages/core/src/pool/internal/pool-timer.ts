// A small scheduler entry for the pool's background work (idle eviction,
// leak checks, create backoff, close's waits).

import type { TimerEntry } from "../../base/scheduler.ts";

/** A timer entry that calls `fire`; with `keepAlive`, it holds the process open while scheduled. */
export class PoolTimer implements TimerEntry {
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean;
  readonly fire: () => void;

  constructor(keepAlive: boolean, fire: () => void) {
    this.keepAlive = keepAlive;
    this.fire = fire;
  }
}

// The grace-period timer of exit stacks: one scheduler entry per running
// close, ticking at a fixed interval while the close awaits something. The
// owner decides at each tick whether a callback overran.
//
// Why a spare: the scheduler frees its host timer in a microtask once its
// heap is empty, so a program that closes small stacks one after another
// (a withExitStack per request) would arm and clear a host timer per close
// (setTimeout + clearTimeout, ~1.5–2.5 µs on Node). Instead a finished
// close parks its entry, still scheduled, for a few microtask hops; the
// next close, usually a couple of awaits away, adopts it. Only then is it
// unscheduled, so nothing outlives the burst (a parked entry holds the
// process for microtasks, never for a timer turn).

import { now } from "../../base/clock.ts";
import { reschedule, schedule, type TimerEntry, unschedule } from "../../base/scheduler.ts";

/** What a watchdog reports to: returns true to keep ticking. */
export interface Watched {
  tick(): boolean;
}

export class Watchdog implements TimerEntry {
  deadline: number = Infinity;
  index = -1;
  readonly keepAlive: boolean = true;
  owner: Watched | undefined = undefined;
  interval = 0;

  fire(): void {
    const owner = this.owner;
    // The owner may finish (and release this entry) inside tick().
    if (owner !== undefined && owner.tick() && this.owner === owner) {
      // From now, not from the last deadline: after a stalled event loop the
      // ticks must still be an interval apart for a count of them to mean time.
      this.deadline = now() + this.interval;
      schedule(this);
    }
  }
}

/** Microtask hops a parked entry waits for the next close. */
const HOPS = 8;
let spare: Watchdog | undefined;
let hops = 0;
let retiring = false;

/** Starts ticking for `owner` every `interval` ms, on a parked entry if there is one. */
export function watch(owner: Watched, interval: number): Watchdog {
  let dog = spare;
  if (dog === undefined) dog = new Watchdog();
  else spare = undefined;
  dog.owner = owner;
  dog.interval = interval;
  dog.deadline = now() + interval;
  reschedule(dog);
  return dog;
}

/** Stops ticking for its owner; parks the entry briefly for the next close. */
export function release(dog: Watchdog): void {
  dog.owner = undefined;
  if (dog.index < 0) return;
  if (spare !== undefined) {
    unschedule(dog);
    return;
  }
  spare = dog;
  hops = 0;
  if (!retiring) {
    retiring = true;
    queueMicrotask(retire);
  }
}

function retire(): void {
  const dog = spare;
  if (dog === undefined) {
    retiring = false;
    return;
  }
  if (++hops < HOPS) {
    queueMicrotask(retire);
    return;
  }
  retiring = false;
  spare = undefined;
  unschedule(dog);
}

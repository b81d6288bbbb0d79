// One host timer for every deadline corral tracks. Entries live in a binary
// min-heap keyed by deadline, each knowing its index so removal is O(log n)
// and nothing is retained after it (a lazily-deleted heap would keep disposed
// scopes alive until their deadline). The host timer is armed for the
// earliest entry; it is left armed when that entry goes away (it will fire,
// find nothing due and re-arm), so a create/dispose loop does no timer work.
//
// Keeping the process alive: an entry with `keepAlive` (a sleep, a scope's
// deadline) is something the program waits on, so while any is scheduled the
// host timer is ref'd. Background entries (pool eviction, grace periods) set
// `keepAlive: false`; when only they remain, the adapter's `unrefTimer` hook
// lets the process exit.
//
// Far deadlines: hosts take a timer delay up to 2^31-1 ms (~24.8 days); a
// longer one fires after ~1 ms (Node and Deno print a TimeoutOverflowWarning),
// so re-arming for the same far deadline would spin. The host timer is armed
// for at most MAX_HOST_DELAY; when it fires with nothing due it simply
// re-arms, so a 30-day deadline costs two host timers in 30 days.

import { hooks } from "./runtime.ts";
import { live } from "./live.ts";

/** Something with a deadline. `index` is its heap slot, -1 when not scheduled. */
export interface TimerEntry {
  deadline: number;
  index: number;
  /** False for background work that must not hold the process open. */
  readonly keepAlive: boolean;
  fire(): void;
}

/** The longest delay every host's setTimeout honours (a signed 32-bit millisecond count). */
const MAX_HOST_DELAY = 2 ** 31 - 1;

const heap: TimerEntry[] = [];
let host: ReturnType<typeof setTimeout> | undefined;
/** When the host timer fires: the earliest deadline, or sooner when that is out of the host's range. */
let hostAt = Infinity;
let hostRefd = true;
let keepAlive = 0;
let idleCheckQueued = false;

export function schedule(entry: TimerEntry): void {
  const i = heap.length;
  heap.push(entry);
  entry.index = i;
  live.timers++;
  siftUp(i);
  if (entry.keepAlive && keepAlive++ === 0 && !hostRefd) arm();
  else if (entry.deadline < hostAt) arm();
}

export function unschedule(entry: TimerEntry): void {
  const i = entry.index;
  if (i < 0) return;
  entry.index = -1;
  live.timers--;
  if (entry.keepAlive) keepAlive--;
  const last = heap.pop()!;
  if (last !== entry) {
    heap[i] = last;
    last.index = i;
    siftDown(i);
    siftUp(last.index);
  }
  if (keepAlive === 0 && hostRefd && host !== undefined && heap.length > 0) {
    // The last entry the program waits on went away before its deadline
    // (a cancelled sleep, a disposed scope): only background entries remain,
    // so the host timer, still armed for that deadline, must not hold the process.
    const unref = hooks.unrefTimer;
    if (unref !== undefined) {
      unref(host);
      hostRefd = false;
    }
  }
  if (heap.length === 0 && host !== undefined && !idleCheckQueued) {
    // Free the host timer once the current synchronous burst is over, so a
    // tight create/dispose loop does not clear and re-arm on every turn.
    idleCheckQueued = true;
    queueMicrotask(idleCheck);
  }
}

/** Moves an entry after its deadline changed. */
export function reschedule(entry: TimerEntry): void {
  if (entry.index < 0) {
    schedule(entry);
    return;
  }
  siftUp(entry.index);
  siftDown(entry.index);
  if (entry.deadline < hostAt) arm();
}

function idleCheck(): void {
  idleCheckQueued = false;
  if (heap.length === 0 && host !== undefined) {
    clearTimeout(host);
    host = undefined;
    hostAt = Infinity;
  }
}

function arm(): void {
  if (host !== undefined) clearTimeout(host);
  const deadline = heap[0]!.deadline;
  const t = performance.now();
  const delay = deadline - t;
  let ms: number;
  if (delay > MAX_HOST_DELAY) {
    ms = MAX_HOST_DELAY;
    hostAt = t + MAX_HOST_DELAY;
  } else {
    ms = delay > 0 ? Math.ceil(delay) : 0;
    hostAt = deadline;
  }
  // Arm outside any ambient context: the host timer serves every entry, so its
  // callbacks (deadline abort listeners) must not run inside, or keep alive,
  // the context of whichever scope happened to arm it.
  const context = hooks.context;
  host = context === undefined ? setTimeout(onTimer, ms) : context.run(undefined, () => setTimeout(onTimer, ms));
  const unref = hooks.unrefTimer;
  hostRefd = keepAlive > 0 || unref === undefined;
  if (!hostRefd) unref!(host);
}

function onTimer(): void {
  host = undefined;
  hostAt = Infinity;
  const t = performance.now();
  while (heap.length > 0 && heap[0]!.deadline <= t) {
    const entry = heap[0]!;
    unschedule(entry);
    entry.fire();
  }
  if (heap.length > 0 && host === undefined) arm();
}

function siftUp(i: number): void {
  const entry = heap[i]!;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const parent = heap[p]!;
    if (parent.deadline <= entry.deadline) break;
    heap[i] = parent;
    parent.index = i;
    i = p;
  }
  heap[i] = entry;
  entry.index = i;
}

function siftDown(i: number): void {
  const n = heap.length;
  const entry = heap[i]!;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && heap[r]!.deadline < heap[l]!.deadline ? r : l;
    const child = heap[c]!;
    if (child.deadline >= entry.deadline) break;
    heap[i] = child;
    child.index = i;
    i = c;
  }
  heap[i] = entry;
  entry.index = i;
}

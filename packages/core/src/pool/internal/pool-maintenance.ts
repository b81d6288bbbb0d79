// The owner's per-resource hooks: `isAlive` (a plain synchronous call),
// and `validate`, `reset`, `destroy`, which run guarded (shielded, bounded
// by `cleanupTimeout`; see pool-guard.ts). While a hook runs, its resource
// counts as in maintenance; failures become `error` events. A hook that
// answers synchronously is handled on the spot: no timer, no promise.

import { unschedule } from "../../base/scheduler.ts";
import { traced, tracing } from "../../base/tracing.ts";
import { type Guard, type GuardOwner, runGuarded } from "./pool-guard.ts";
import { DESTROY_EVENT, type PoolEvents } from "./pool-events.ts";
import type { Inventory } from "./pool-inventory.ts";
import type { PoolSettings } from "./pool-options.ts";
import { BUSY, GONE, type PooledResource } from "./pool-resource.ts";
import { traceHook } from "./pool-trace.ts";
import { DONE } from "./pool-done.ts";

/** What maintenance needs from the rest of the pool. */
export interface MaintenanceHost<T> {
  /** A resource passed its check or its reset: lend it or park it. */
  offer(pooled: PooledResource<T>): void;
  /** Something settled: serve the waiters, create what they need. */
  pump(): void;
}

/** The promise of work that is already done (one object: callers compare with it). */
/** `isAlive` answered false (a throwing check is `{ error }`). */
const DEAD: { error?: unknown } = Object.freeze({});

export class Maintenance<T> implements GuardOwner {
  /** The guard whose hook is running synchronously right now (see pool-guard.ts). */
  running: Guard | undefined = undefined;
  /** Hooks (counted in `maintaining`) that called close() or terminate(): the close does not wait for them. */
  hooksInClose = 0;
  readonly #settings: PoolSettings<T>;
  readonly #books: Inventory<T>;
  readonly #events: PoolEvents<T>;
  readonly #host: MaintenanceHost<T>;

  constructor(settings: PoolSettings<T>, books: Inventory<T>, events: PoolEvents<T>, host: MaintenanceHost<T>) {
    this.#settings = settings;
    this.#books = books;
    this.#events = events;
    this.#host = host;
  }

  /**
   * Asks `isAlive` (which the pool has) about a resource: `undefined` when it
   * is alive, else why it is dead — `{}`, or `{ error }` when the check threw
   * (an `error` event).
   */
  askAlive(pooled: PooledResource<T>): { error?: unknown } | undefined {
    try {
      return this.#settings.isAlive!(pooled.resource) === false ? DEAD : undefined;
    } catch (error) {
      this.#events.emit("error", { error, phase: "isAlive", resource: pooled.resource });
      return { error };
    }
  }

  /** True when a resource (out of the idle stack) is alive; otherwise destroys it and returns false. */
  keepIfAlive(pooled: PooledResource<T>): boolean {
    const dead = this.askAlive(pooled);
    if (dead === undefined) return true;
    this.destroy(pooled, "error" in dead, dead.error);
    return false;
  }

  /** Checks a resource taken from the idle stack for the waiters; a bad one is destroyed. */
  validate(pooled: PooledResource<T>): void {
    pooled.state = BUSY;
    this.#books.maintaining++;
    this.#books.validating++;
    const guard = runGuarded(
      "validate",
      this.#settings.validate!,
      pooled.resource,
      this.#settings.cleanupTimeout,
      this,
    );
    if (guard.settled) this.#validated(pooled, guard);
    else void guard.settledPromise().then((settled) => this.#validated(pooled, settled));
  }

  #validated(pooled: PooledResource<T>, guard: Guard): void {
    const books = this.#books;
    books.maintaining--;
    books.validating--;
    if (guard.ok && guard.value !== false) {
      this.#host.offer(pooled);
    } else {
      if (!guard.ok) this.#events.emit("error", { error: guard.value, phase: "validate", resource: pooled.resource });
      this.destroy(pooled, !guard.ok, guard.value);
    }
    this.#host.pump();
    books.changed();
  }

  /** Resets a released resource, then offers it; a failing reset destroys it. Resolves once it has gone either way. */
  reset(pooled: PooledResource<T>): Promise<void> | undefined {
    pooled.state = BUSY;
    this.#books.maintaining++;
    const guard = runGuarded("reset", this.#settings.reset!, pooled.resource, this.#settings.cleanupTimeout, this);
    if (guard.settled) return this.#wasReset(pooled, guard);
    return guard.settledPromise().then((settled) => this.#wasReset(pooled, settled));
  }

  #wasReset(pooled: PooledResource<T>, guard: Guard): Promise<void> | undefined {
    this.#books.maintaining--;
    if (guard.ok) {
      this.#host.offer(pooled);
      this.#books.changed();
      return undefined;
    }
    this.#events.emit("error", { error: guard.value, phase: "reset", resource: pooled.resource });
    return this.destroy(pooled, true, guard.value);
  }

  /**
   * Destroys a resource that is no longer idle or borrowed; `hasError` when
   * it goes because something failed (`error`, which may be `undefined`,
   * then appears on the `destroy` event). Resolves once done; never rejects.
   */
  destroy(pooled: PooledResource<T>, hasError: boolean, error: unknown): Promise<void> {
    const books = this.#books;
    pooled.state = BUSY;
    books.maintaining++;
    books.destroying++;
    if (pooled.index >= 0) unschedule(pooled);
    const fn = this.#settings.destroy;
    if (fn === undefined) {
      this.#gone(pooled, hasError, error);
      return DONE;
    }
    const ch = tracing.destroy;
    const call = traced(ch) ? traceHook(ch, fn, { pool: this.#events.owner, resource: pooled.resource }) : fn;
    const guard = runGuarded("destroy", call, pooled.resource, this.#settings.cleanupTimeout, this);
    if (guard.settled) {
      this.#wasDestroyed(pooled, guard, hasError, error);
      return DONE;
    }
    return guard.settledPromise().then((settled) => this.#wasDestroyed(pooled, settled, hasError, error));
  }

  #wasDestroyed(pooled: PooledResource<T>, guard: Guard, hasError: boolean, error: unknown): void {
    if (!guard.ok) this.#events.emit("error", { error: guard.value, phase: "destroy", resource: pooled.resource });
    this.#gone(pooled, hasError, error);
  }

  #gone(pooled: PooledResource<T>, hasError: boolean, error: unknown): void {
    const books = this.#books;
    books.maintaining--;
    books.destroying--;
    books.destroyed++;
    pooled.state = GONE;
    if (this.#events.hears(DESTROY_EVENT)) {
      this.#events.emit("destroy", hasError ? { resource: pooled.resource, error } : { resource: pooled.resource });
    }
    this.#host.pump();
    books.changed();
  }
}

/**
 * The events a {@linkcode Pool} dispatches on itself.
 *
 * @module
 */

/** The event types a pool dispatches. */
export type PoolEventType = "create" | "destroy" | "acquire" | "release" | "error" | "leak";

/** Which of the owner's callbacks failed, for an `error` event. */
export type PoolErrorPhase = "create" | "destroy" | "reset" | "validate" | "isAlive" | "setup";

/** The fields of a {@linkcode PoolEvent}. */
export interface PoolEventInit<T> {
  /** The resource concerned (every type except an `error` of phase `"create"`). */
  resource?: T;
  /**
   * `error`: what failed; `destroy`: why the resource was destroyed, when
   * something failed. Present (`"error" in init`) exactly when there is an
   * error, which may itself be `undefined` (`throw undefined`).
   */
  error?: unknown;
  /** `error`: which callback failed. */
  phase?: PoolErrorPhase;
  /** `leak`: the stack of the `acquire()` call that took the lease. */
  stack?: string;
  /** `leak`: how long the lease has been held, in milliseconds. */
  heldFor?: number;
  /**
   * In milliseconds: `acquire` — how long the acquire waited (0 when an
   * idle resource was ready); `release` — how long the lease was held
   * (absent when nobody listened to `release` when it started); `create` —
   * how long `create` took.
   */
  duration?: number;
}

/**
 * An event of a pool:
 * - `create` — a resource was created; `destroy` — one was destroyed
 *   (`error` says why when something failed: `"error" in event` tells,
 *   as for an Error's `cause`, since the error may be `undefined`);
 * - `acquire` / `release` — a lease started / ended;
 * - `error` — one of the owner's callbacks failed in the background
 *   (`phase`, `error`); the pool carries on;
 * - `leak` — a lease was held longer than `leakTimeout` (`stack`,
 *   `heldFor`); the lease keeps working.
 *
 * @example Logging the pool's background errors
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPool, type PoolEvent } from "@corral/core";
 * const pool = createPool({ create: () => ({}), destroy: () => { throw new Error("socket gone"); }, max: 1 });
 * const seen: string[] = [];
 * pool.addEventListener("error", (event) => seen.push(`${(event as PoolEvent).phase}: ${(event as PoolEvent).error}`));
 * const lease = await pool.acquire();
 * await lease.destroy();
 * await pool.close();
 * assert(seen[0] === "destroy: Error: socket gone");
 * ```
 */
export class PoolEvent<T = unknown> extends Event {
  /** The resource concerned. */
  readonly resource: T | undefined;
  /**
   * The failure (`error`), or why a resource was destroyed (`destroy`). An
   * own property only when the event carries one (`"error" in event`), as
   * an Error's `cause`: a thrown `undefined` is still an error.
   */
  declare readonly error: unknown;
  /** Which callback failed (`error`). */
  readonly phase: PoolErrorPhase | undefined;
  /** Where the leaked lease was acquired (`leak`). */
  readonly stack: string | undefined;
  /** How long the leaked lease has been held, in ms (`leak`). */
  readonly heldFor: number | undefined;
  /** How long the acquire waited, the lease was held or the create took, in ms (`acquire`, `release`, `create`). */
  readonly duration: number | undefined;

  /**
   * Makes an event as the pool dispatches it.
   *
   * @param type the event type
   * @param init the fields
   */
  constructor(type: PoolEventType, init?: PoolEventInit<T>) {
    super(type);
    this.resource = init?.resource;
    if (init !== undefined && "error" in init) (this as { error: unknown }).error = init.error;
    this.phase = init?.phase;
    this.stack = init?.stack;
    this.heldFor = init?.heldFor;
    this.duration = init?.duration;
  }
}

/**
 * What {@linkcode observePool} calls for each of a pool's events: its type
 * and fields, without an `Event` object (for metrics on hot paths). It runs
 * synchronously inside the pool's operation: it must not throw or block.
 */
export type PoolObserver<T = unknown> = (type: PoolEventType, init: Readonly<PoolEventInit<T>>) => void;

/**
 * What a pool's `addEventListener` takes: a function, or an object with
 * `handleEvent` — declared here rather than with the DOM's
 * `EventListenerObject`, so the types compile without the DOM lib.
 */
export type PoolEventListener<T = unknown> =
  | ((event: PoolEvent<T>) => void)
  | { handleEvent(event: PoolEvent<T>): void };

/** The options of a pool's `addEventListener` (the DOM's `AddEventListenerOptions`, declared here). */
export interface PoolListenerOptions {
  /** Listen in the capture phase (a pool has no tree: the same as not). */
  capture?: boolean;
  /** Remove the listener after its first call. */
  once?: boolean;
  /** The listener will not call `preventDefault()`. */
  passive?: boolean;
  /** Remove the listener when this signal aborts. */
  signal?: AbortSignal;
}

/**
 * A child of a task group: its state, its outcome, and (lazily) its own
 * node in the cancellation tree.
 *
 * @module
 */

import { Cancelled } from "../base/errors.ts";
import { type AmbientStorage, hooks } from "../base/runtime.ts";
import { cancelledBy } from "../cancellation/internal/cancel-reason.ts";
import type { CancelNode } from "../cancellation/internal/cancel-node.ts";
import type { ChildSteps, GroupNode } from "./internal/group-node.ts";
import { runsInside, TaskNode } from "./internal/task-node.ts";

// A task's states, and who moves it from one to the next (all in this class):
//   QUEUED  -> RUNNING     its group starts it (at once, or when a slot frees behind `limit`)
//   QUEUED  -> REJECTED    task.cancel(), or its group is cancelled first (dropped: it never runs)
//   RUNNING -> FULFILLED   its function returned (or its promise resolved)
//   RUNNING -> REJECTED    its function threw (or its promise rejected)
// A task is QUEUED only behind `limit`; once settled, it never changes again.
const QUEUED = 0;
const RUNNING = 1;
const FULFILLED = 2;
const REJECTED = 3;

/** The error of a task dropped from the queue, until someone looks at it. */
const DROPPED: unique symbol = Symbol("dropped");

/** @internal What `start()` runs. */
export type StartFn<T> = (signal: AbortSignal, started: (value: T) => void) => unknown;

/** @internal A `start()` child until it calls `started()`: who waits, and where it lives meanwhile. */
export interface Starter {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** The caller's scope: the child's parent until `started()`. */
  parent: CancelNode;
  started: boolean;
}

/** The resolvers of the promise behind `await task`, made on first use. */
interface Waiter {
  promise: Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * What most tasks never need, kept out of line so that a task holds six
 * fields. Engine tuning, kept because a benchmark shows it: with these three
 * fields inline, `npm run bench -- task-group`, table "spawn and join 10,000
 * trivial tasks", row "corral taskGroup", measured slower on Bun (median of
 * nine runs 2.9× Promise.all, against 2.4×: JavaScriptCore keeps only a
 * small object's first fields inline) and on Node 20 (6.1× against 2.4×),
 * and no faster elsewhere.
 */
interface RareState {
  name: string | undefined;
  waiter: Waiter | undefined;
  starter: Starter | undefined;
}

/** `task "name"`, or `a task` when it has none. */
function label(name: string): string {
  return name === "" ? "a task" : `task "${name}"`;
}

function ignore(): void {}

// How a task's function is called inside `context.run(node, …)` without a
// closure per task: run() calls its callback synchronously, so the function
// and its signal are handed over in these two variables, which callTask()
// reads (and clears) before it calls anything. A function it calls that
// spawns a task of its own overwrites them only after that.
let handedFn: ((signal: AbortSignal) => unknown) | undefined;
let handedSignal: AbortSignal | undefined;

function callTask(): unknown {
  const fn = handedFn!;
  const signal = handedSignal!;
  handedFn = handedSignal = undefined;
  return fn(signal);
}

/**
 * A child spawned into a task group with `tg.spawn(fn)` — asyncio's `Task`.
 * Awaiting it gives `fn`'s value, or rejects with `fn`'s error (or the
 * task's `Cancelled` when `task.cancel()` ended it, or when it was queued
 * behind `limit` and its group was cancelled before it started).
 *
 * A task's rejection never surfaces as an unhandled rejection: the group
 * owns its outcome, and a promise is made only when you await the task.
 * Awaiting a task from inside itself (which would never end) rejects at
 * once with an `Error` that says so, where an adapter provides ambient
 * context.
 *
 * @example Awaiting a child's value
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskGroup } from "@corral/core";
 * const total = await taskGroup(async (tg) => {
 *   const a = tg.spawn(async () => 20);
 *   const b = tg.spawn(async () => 22);
 *   return (await a) + (await b);
 * });
 * assert(total === 42);
 * ```
 */
export class Task<T = unknown> implements PromiseLike<T> {
  #group: GroupNode<Task>;
  // Kept for the name (read lazily: `fn.name` is not free).
  #fn: ((signal: AbortSignal) => unknown) | StartFn<T>;
  #state = QUEUED;
  /** The value once FULFILLED, the error once REJECTED. */
  #outcome: unknown = undefined;
  // The task's own node: made only when something can observe it (see #run()).
  #node: CancelNode | undefined = undefined;
  #rare: RareState | undefined;

  /**
   * The steps the group takes with a task it admitted (see `ChildSteps`):
   * the group decides when, the task changes its own state.
   */
  static readonly #steps: ChildSteps<Task> = {
    start: (task) => task.#run(),
    drop: (task) => task.#drop(),
    waiting: (task) => task.#state === QUEUED,
  };

  /**
   * @internal Tasks are made by `TaskGroup.spawn()` and `start()`: a new
   * task is admitted into its group at once (started, queued behind
   * `limit`, or dropped when the group is cancelled and full).
   * @param group the group it belongs to
   * @param fn its work
   * @param name its name
   * @param starter set for a `start()` child
   */
  constructor(
    group: GroupNode<Task>,
    fn: ((signal: AbortSignal) => unknown) | StartFn<T>,
    name: string | undefined,
    starter?: Starter,
  ) {
    this.#group = group;
    this.#fn = fn;
    this.#rare = name === undefined && starter === undefined ? undefined : { name, waiter: undefined, starter };
    group.admit(this, Task.#steps);
  }

  /** The `name` given to `spawn()`, else `fn.name` (may be `""`). */
  get name(): string {
    return this.#rare?.name ?? this.#fn.name;
  }

  /** True once the task has settled (fulfilled, rejected, or dropped before it started). */
  get done(): boolean {
    return this.#state >= FULFILLED;
  }

  /** The value once fulfilled; `undefined` before, and when it rejected. */
  get result(): T | undefined {
    return this.#state === FULFILLED ? this.#outcome as T : undefined;
  }

  /**
   * The task's own signal: it aborts when the task or its group is
   * cancelled. A function that declared a `signal` parameter received this
   * very signal; for one that did not, reading it gives the task its own
   * place in the cancellation tree. Once the task has settled it no longer
   * changes.
   */
  get signal(): AbortSignal {
    if (this.#state < FULFILLED) return this.#link(this.#group).signal;
    return (this.#node ??= new TaskNode(this, this.#group)).signal;
  }

  /**
   * Cancels this task only: its signal aborts with a `Cancelled` of kind
   * `"explicit"`. If the task then fails with that cancellation, awaiting
   * it rejects with it and the group is unaffected; if it completes anyway,
   * its value stands. A task still queued behind `limit` never starts. Does
   * nothing once the task is done or already cancelled.
   *
   * @param reason why; a string (or an error's message) appears in the message, the value is its `cause`
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Cancelled, sleep, taskGroup } from "@corral/core";
   * await taskGroup(async (tg) => {
   *   const slow = tg.spawn((signal) => sleep(10_000, { signal }));
   *   slow.cancel("not needed");
   *   const error = await slow.then(() => undefined, (e) => e);
   *   assert(error instanceof Cancelled && error.kind === "explicit");
   * });
   * ```
   */
  cancel(reason?: unknown): void {
    if (this.#state >= FULFILLED || this.#node?.reason !== undefined) return;
    const cancelled = cancelledBy(reason);
    (this.#node ??= new TaskNode(this, this.#group)).cancel(cancelled);
    if (this.#state !== QUEUED) return;
    this.#state = REJECTED;
    this.#outcome = cancelled;
    this.#leaveTree();
    this.#rare?.waiter?.reject(cancelled);
    this.#group.childSettled(false);
  }

  /**
   * Promise protocol: `await task`.
   *
   * @param onfulfilled called with the value
   * @param onrejected called with the error
   * @returns a promise for the callback's result
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#promise().then(onfulfilled, onrejected);
  }

  /**
   * Like `Promise.prototype.catch`.
   *
   * @param onrejected called with the error
   * @returns a promise for the value or the callback's result
   */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#promise().catch(onrejected);
  }

  /**
   * Like `Promise.prototype.finally`.
   *
   * @param onfinally called once the task settles
   * @returns a promise that settles like the task
   */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#promise().finally(onfinally);
  }

  /** `"Task"`. */
  get [Symbol.toStringTag](): string {
    return "Task";
  }

  // The node exists only when something can observe it: the function
  // declares a signal parameter, the adapter installed ambient context
  // (currentSignal()), someone read `task.signal`, or it is a start() child.
  // A function that declares no parameter and runs without context gets the
  // group's shared signal: no AbortController, no list.
  #run(): void {
    this.#state = RUNNING;
    const group = this.#group;
    const fn = this.#fn;
    const context = hooks.context;
    const starter = this.#rare?.starter;
    let node = this.#node;
    let signal: AbortSignal;
    if (starter !== undefined) {
      node = this.#link(starter.parent);
      signal = node.signal;
    } else if (node !== undefined || group.arity(fn) !== 0) {
      node = this.#link(group);
      signal = node.signal;
    } else {
      if (context !== undefined) node = this.#link(group);
      signal = group.sharedSignal ??= group.signal;
    }
    let result: unknown;
    try {
      if (starter !== undefined) result = this.#callStart(fn as StartFn<unknown>, signal, node!, context);
      else if (context === undefined) result = (fn as (signal: AbortSignal) => unknown)(signal);
      else {
        handedFn = fn as (signal: AbortSignal) => unknown;
        handedSignal = signal;
        result = context.run(node!, callTask);
      }
      if (result instanceof Promise) {
        this.#observe(result);
        return;
      }
      if (typeof result === "object" && result !== null || typeof result === "function") {
        this.#observe(Promise.resolve(result));
        return;
      }
    } catch (error) {
      handedFn = handedSignal = undefined; // a run() that threw before calling back
      this.#fail(error);
      return;
    }
    this.#succeed(result);
  }

  // Kept apart from #run() so that #run() creates no closure (and no closure
  // context) on the common path. Two closures cost less than an async
  // function awaiting the result.
  #observe(promise: Promise<unknown>): void {
    promise.then((value) => this.#succeed(value), (error) => this.#fail(error));
  }

  #callStart(
    fn: StartFn<unknown>,
    signal: AbortSignal,
    node: CancelNode,
    context: AmbientStorage | undefined,
  ): unknown {
    const started = (value: unknown) => this.#started(value);
    return context === undefined ? fn(signal, started) : context.run(node, () => fn(signal, started));
  }

  /** The task's node, made now if need be, and linked under `parent` unless linked or cancelled. */
  #link(parent: CancelNode): CancelNode {
    const node = this.#node ??= new TaskNode(this, this.#group);
    if (node.host === undefined && node.reason === undefined) {
      const reason = node.attach(parent);
      if (reason !== undefined) node.cancel(reason);
    }
    return node;
  }

  #started(value: unknown): void {
    const starter = this.#rare!.starter!;
    const what = `Cannot call started() of ${label(this.name)} as`;
    if (starter.started) throw new Error(`${what} it was already called`);
    if (this.#state >= FULFILLED) throw new Error(`${what} it has already finished`);
    starter.started = true;
    // Move from the caller's scope into the group.
    const node = this.#node!;
    if (node.host !== undefined) node.detach();
    this.#link(this.#group);
    starter.resolve(value);
  }

  #succeed(value: unknown): void {
    this.#state = FULFILLED;
    this.#outcome = value;
    if (this.#node !== undefined || this.#group.reason !== undefined) this.#leaveTree();
    const rare = this.#rare;
    if (rare !== undefined) {
      const starter = rare.starter;
      if (starter !== undefined && !starter.started) {
        starter.reject(new Error(`${label(this.name)} returned without calling started()`));
      }
      rare.waiter?.resolve(value);
    }
    this.#group.childSettled(true);
  }

  #fail(error: unknown): void {
    this.#state = REJECTED;
    this.#outcome = error;
    this.#leaveTree();
    const starter = this.#rare?.starter;
    const group = this.#group;
    if (starter !== undefined && !starter.started) starter.reject(error);
    else if (!group.isOwnCancellation(error, this.#node?.reason)) {
      group.recordFailure(error, `${label(this.name)} failed`);
    }
    this.#rare?.waiter?.reject(error);
    group.childSettled(true);
  }

  #drop(): void {
    this.#state = REJECTED;
    this.#outcome = DROPPED;
    this.#leaveTree();
    const rare = this.#rare;
    if (rare?.starter !== undefined) rare.starter.reject(this.#rejection());
    else rare?.waiter?.reject(this.#rejection());
    this.#group.childSettled(false);
  }

  /** The rejection: what the function threw, or the Cancelled of a task that never started. */
  #rejection(): unknown {
    if (this.#outcome === DROPPED) {
      const reason = this.#group.reason;
      this.#outcome = new Cancelled(reason instanceof Cancelled ? reason.kind : "parent", {
        message: `${label(this.name)} never started: its task group was cancelled`,
        cause: reason,
      });
    }
    return this.#outcome;
  }

  /** The promise behind `await task`. */
  #promise(): Promise<T> {
    // Awaiting a task from inside itself would wait forever: refuse at once.
    if (this.#state < FULFILLED && hooks.context !== undefined && runsInside(this)) {
      return Promise.reject(
        new Error(
          `Cannot await ${label(this.name)} from inside itself: a task settles only when its function returns, ` +
            "so it would wait for itself forever. Use the value where the task computes it instead, " +
            "or await the task from the group's body or from another task",
        ),
      );
    }
    const rare = this.#rare ??= { name: undefined, waiter: undefined, starter: undefined };
    const waiter = rare.waiter;
    if (waiter !== undefined) return waiter.promise as Promise<T>;
    let promise: Promise<unknown>;
    if (this.#state >= FULFILLED) {
      promise = this.#state === FULFILLED ? Promise.resolve(this.#outcome) : Promise.reject(this.#rejection());
      rare.waiter = { promise, resolve: ignore, reject: ignore };
      return promise as Promise<T>;
    }
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    rare.waiter = { promise, resolve, reject };
    return promise as Promise<T>;
  }

  // Unlinks from the tree. A node that was not linked when the group was
  // cancelled (or a task that had none) takes the group's reason, so that
  // `task.signal` tells the truth about how the task ran.
  #leaveTree(): void {
    const node = this.#node;
    const reason = this.#group.reason;
    if (node === undefined) {
      if (reason !== undefined) (this.#node = new TaskNode(this, this.#group)).cancel(reason);
    } else if (node.host !== undefined) {
      node.detach();
    } else if (node.reason === undefined && reason !== undefined) {
      node.cancel(reason);
    }
  }
}

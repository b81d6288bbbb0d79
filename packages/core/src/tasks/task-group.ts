/**
 * Task groups: structured concurrency for plain `async`/`await` — asyncio's
 * `TaskGroup` and Trio's nursery.
 *
 * A task group is a scope that owns the tasks spawned into it. Its
 * guarantees:
 * - It does not finish before every child has settled, whatever happens.
 * - The first failure (of a child, or of the body) cancels the group: its
 *   signal aborts with a `Cancelled` of kind `"sibling"`, seen by every
 *   child and by the body.
 * - Failures are thrown together as one {@linkcode TaskGroupError}, even a
 *   single one. Cancellations that belong to the group are not failures;
 *   errors raised while the siblings are being cancelled are collected.
 * - A cancellation is recognised by identity, never by name: the group's
 *   (or the task's, or an enclosing scope's) own reason, or an error whose
 *   `cause` chain holds it, or an `AbortError` while the task's signal is
 *   aborted. A child's own error that is called "Cancelled" (an order
 *   cancelled by a customer) is a failure like any other.
 * - When an enclosing scope cancels the group and nothing but cancellations
 *   came out of it, the enclosing scope's own reason is rethrown, unwrapped.
 * - A child's rejection never surfaces as an unhandled rejection.
 * - A wait that would wait for itself is refused at once: a task (or code
 *   nested in one: a scope, an inner group) that calls its own group's
 *   `join()` or disposes it, or a task that awaits itself, gets an `Error`
 *   saying what it did and what to do instead, rather than hanging forever.
 *   The caller is found through the ambient context a runtime adapter
 *   installs (`@corral/node`, `@corral/deno`, `@corral/bun`); without one,
 *   and for a child that awaits the promise `taskGroup()` itself returned,
 *   nothing can tell who waits.
 *
 * Reach for it whenever work fans out: `Promise.all` leaves the other
 * promises running when one fails; a task group stops them and waits for
 * their cleanup, so the resource they use can be closed safely afterwards.
 *
 * @example Fetch several things; the first failure cancels the rest
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep, taskGroup } from "@corral/core";
 * const pages = await taskGroup(async (tg) => {
 *   const a = tg.spawn(async (signal) => {
 *     await sleep(1, { signal });
 *     return "page a";
 *   });
 *   const b = tg.spawn(async () => "page b");
 *   return [await a, await b];
 * });
 * assert(pages?.join() === "page a,page b");
 * ```
 *
 * @module
 */

import { Cancelled } from "../base/errors.ts";
import { hooks } from "../base/runtime.ts";
import { traceCall, traced, tracing } from "../base/tracing.ts";
import { checkOptions } from "../base/validate.ts";
import { ambientNode } from "../cancellation/internal/ambient.ts";
import { cancelledBy } from "../cancellation/internal/cancel-reason.ts";
import { GroupNode } from "./internal/group-node.ts";
import { checkFn, checkGroupOptions, checkName } from "./internal/group-options.ts";
import { enclosingTask } from "./internal/task-node.ts";
import { type StartFn, Task } from "./task.ts";

/** Options for {@linkcode taskGroup} and {@linkcode TaskGroup}. */
export interface TaskGroupOptions {
  /** The enclosing scope: cancelling it cancels the group. Defaults to the ambient `currentSignal()`. */
  signal?: AbortSignal;
  /**
   * At most this many children run at once; the rest wait in order. A whole
   * number from 1 to 2^53 - 1, or `Infinity` (the default: no limit). A limit
   * above the number of children behaves like `Infinity` and costs nothing.
   */
  limit?: number;
  /** A name for error messages. */
  name?: string;
}

/** Options for {@linkcode TaskGroup.spawn} and {@linkcode TaskGroup.start}. */
export interface SpawnOptions {
  /** The task's name (default: the function's name). */
  name?: string;
}

/**
 * The `started` callback `start()` hands its child: call it once the child
 * is ready, with the value `start()` resolves with (optional when that value
 * may be `undefined`).
 */
export type Started<T> = undefined extends T ? (value?: T) => void : (value: T) => void;

function ignore(): void {}

/**
 * A task group for `await using`: spawn children, then `join()`. Leaving
 * the block without `join()` cancels whatever still runs and waits for it
 * (dispose cannot see the block's error, so it never waits on children that
 * might never end). See the module doc for the guarantees.
 *
 * @example A group that lives as long as a block
 * ```ts
 * import assert from "node:assert/strict";
 * import { TaskGroup } from "@corral/core";
 * const seen: number[] = [];
 * {
 *   await using tg = new TaskGroup({ limit: 2 });
 *   for (const n of [1, 2, 3]) tg.spawn(async () => void seen.push(n));
 *   await tg.join();
 * }
 * assert(seen.length === 3);
 * ```
 */
export class TaskGroup implements AsyncDisposable {
  #group: GroupNode<Task>;
  #joined: Promise<void> | undefined = undefined;
  #disposed: Promise<void> | undefined = undefined;

  /**
   * Makes a group for `await using`; spawn children with `spawn`/`start` and
   * wait for them with `join()`.
   *
   * @param options the enclosing signal, the concurrency limit, a name
   * @throws {TypeError} when an option has the wrong type
   * @throws {RangeError} when `limit` is not a whole number from 1 to 2^53 - 1, or `Infinity` (0, negative, fractional, NaN)
   */
  constructor(options?: TaskGroupOptions);
  /**
   * @internal `taskGroup()` hands in the group it made (it runs the body
   * in that group's context).
   */
  constructor(options: undefined, group: GroupNode<Task>);
  constructor(options?: TaskGroupOptions, group?: GroupNode<Task>) {
    if (group instanceof GroupNode) {
      this.#group = group;
    } else {
      const { parent, limit, name } = checkGroupOptions("create TaskGroup", options);
      this.#group = new GroupNode(name, limit, parent ?? ambientNode());
    }
  }

  /** The group's signal: it aborts when the group is cancelled (failure, `cancel()`, enclosing scope). */
  get signal(): AbortSignal {
    return this.#group.signal;
  }

  /** The group's name (`""` when none was given). */
  get name(): string {
    return this.#group.name;
  }

  /**
   * Spawns a child: calls `fn(signal)` now (or, with `limit`, once a slot is
   * free). The child belongs to the group: the group waits for it, and its
   * failure cancels the group. In a group that is being cancelled the child
   * starts with an already-aborted signal (so its cleanup runs); queued
   * behind a full `limit`, it never starts.
   *
   * `signal` is the task's own signal (`task.signal`). A function that
   * declares no parameter gets the group's signal instead, which spares an
   * `AbortController` per task; `task.cancel()` then reaches it through
   * `currentSignal()` and `task.signal`. Declare the parameter when you pass
   * the signal on (a wrapper written `(...args) => f(...args)` declares none).
   *
   * @param fn the child's work
   * @param options the task's name
   * @returns the {@linkcode Task}
   * @throws {TypeError} when `fn` is not a function or `name` not a string
   * @throws {Error} when the group has finished
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { taskGroup } from "@corral/core";
   * await taskGroup(async (tg) => {
   *   const task = tg.spawn(async () => "hi", { name: "greeter" });
   *   assert((await task) === "hi" && task.name === "greeter" && task.done);
   * });
   * ```
   */
  spawn<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, options?: SpawnOptions): Task<Awaited<T>> {
    const what = "spawn into TaskGroup";
    checkFn(what, fn);
    let name: string | undefined;
    if (options !== undefined) {
      checkOptions(what, options);
      name = checkName(what, options.name);
    }
    const group = this.#group;
    group.checkOpen(what);
    return new Task<Awaited<T>>(group, fn, name);
  }

  /**
   * Starts a child and waits until it is ready (Trio's `nursery.start`):
   * calls `fn(signal, started)`; when the child calls `started(value)`,
   * this resolves with `value` and the child keeps running in the group.
   * Until then it lives in the caller's scope (`currentSignal()`, or the
   * group when there is no ambient context): an error before `started()`
   * goes to the caller only, and so does returning without calling it. A
   * second `started()` throws.
   *
   * @param fn the child's work; it calls `started(value)` once it is ready
   * @param options the task's name
   * @returns the value passed to `started()`
   * @throws {TypeError} when `fn` is not a function
   * @throws {Error} when the group has finished, or the child returned without calling `started()`
   * @example A server that is listening before the caller goes on
   * ```ts
   * import assert from "node:assert/strict";
   * import { sleep, taskGroup } from "@corral/core";
   * await taskGroup(async (tg) => {
   *   const port = await tg.start<number>(async (signal, started) => {
   *     started(8080); // listening
   *     await sleep(1, { signal }); // serve
   *   });
   *   assert(port === 8080);
   * });
   * ```
   */
  start<T = void>(
    fn: (signal: AbortSignal, started: Started<T>) => unknown,
    options?: SpawnOptions,
  ): Promise<T> {
    const what = "start in TaskGroup";
    let name: string | undefined;
    try {
      checkFn(what, fn);
      checkOptions(what, options);
      name = checkName(what, options?.name);
      this.#group.checkOpen(what);
    } catch (error) {
      return Promise.reject(error);
    }
    const group = this.#group;
    return new Promise<T>((resolve, reject) => {
      const parent = ambientNode() ?? group;
      const starter = { resolve: resolve as (value: unknown) => void, reject, parent, started: false };
      new Task<T>(group, fn as StartFn<T>, name, starter);
    });
  }

  /**
   * Waits for every child. Children may still be spawned meanwhile (also by
   * children); once the last one settles the group is finished.
   *
   * @returns once every child has settled
   * @throws {TaskGroupError} with every failure, when any child failed
   * @throws the enclosing scope's reason, when it cancelled the group and nothing but cancellations came out
   * @throws {Error} at once, when called from inside one of the group's own
   * tasks (see the module doc): it would wait for itself forever
   */
  join(): Promise<void> {
    const refused = this.#selfWait("join", "join() waits for every task of the group");
    if (refused !== undefined) return refused;
    return this.#joined ??= this.#join();
  }

  // A task of this group (or code nested in one) that waits for the group
  // waits for itself: refused at once, with what to do instead.
  #selfWait(what: string, waits: string): Promise<never> | undefined {
    if (hooks.context === undefined) return undefined;
    const group = this.#group;
    const task = enclosingTask(group);
    if (task === undefined) return undefined;
    const inside = task.name === "" ? "one of its own tasks" : `its own task "${task.name}"`;
    return Promise.reject(
      new Error(
        `Cannot ${what} the ${group.label} from inside ${inside}: ${waits}, this one included, ` +
          "so it would wait for itself forever. Await the tasks you need instead (`await task`), " +
          "call tg.cancel() to stop the group, and leave the waiting to the code that created it",
      ),
    );
  }

  async #join(): Promise<void> {
    const group = this.#group;
    await group.close();
    const error = group.outcome();
    if (error !== undefined) throw error;
  }

  /**
   * Cancels the group: its signal aborts with a `Cancelled` of kind
   * `"explicit"`, every child sees it, queued children never start. These
   * cancellations are the group's own, so `join()` does not throw them.
   * Does nothing once the group is cancelled or has finished.
   *
   * @param reason why; a string (or an error's message) appears in the message, the value is its `cause`
   */
  cancel(reason?: unknown): void {
    const group = this.#group;
    if (group.reason === undefined && !group.finished) group.cancel(cancelledBy(reason));
  }

  /**
   * Leaving an `await using` block: after `join()` this does nothing more
   * than wait for that join to settle (it never throws its error a second
   * time). Without `join()` it cancels whatever still runs, waits for every
   * child, and throws a {@linkcode TaskGroupError} if any child failed
   * (cancellations are not rethrown). Called from inside one of the group's
   * own tasks it rejects at once, as `join()` does.
   */
  [Symbol.asyncDispose](): Promise<void> {
    const refused = this.#selfWait("dispose", "disposing waits for every task of the group");
    if (refused !== undefined) return refused;
    const joined = this.#joined;
    if (joined !== undefined) return joined.then(ignore, ignore);
    return this.#disposed ??= this.#dispose();
  }

  async #dispose(): Promise<void> {
    const group = this.#group;
    if (group.pending > 0 && group.reason === undefined) {
      group.cancel(new Cancelled("explicit", { message: `the ${group.label} was disposed without join()` }));
    }
    await group.close();
    if (group.failures !== undefined) throw group.outcome();
  }
}

/**
 * Runs `fn(tg)`, then waits for every child spawned into `tg` — asyncio's
 * `async with TaskGroup() as tg:`, Trio's `async with open_nursery()`. The
 * first failure cancels the group; all failures come out together as one
 * {@linkcode TaskGroupError}. See the module doc for the guarantees.
 *
 * Inside `fn` and every child, `currentSignal()` is the group's (or the
 * task's) signal when a runtime adapter provides ambient context.
 *
 * @param fn the body; it spawns children into `tg` and may await them
 * @param options the enclosing signal, the concurrency limit, a name
 * @returns the body's value once every child has settled, or `undefined`
 * when the group's own `cancel()` ended the body
 * @throws {TaskGroupError} with every failure of the body and the children
 * @throws the enclosing scope's reason, when it cancelled the group and nothing but cancellations came out
 * @throws {TypeError} / {RangeError} for bad arguments
 * @example At most two downloads at a time; one failure cancels the others
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep, taskGroup, TaskGroupError } from "@corral/core";
 * const error = await taskGroup(async (tg) => {
 *   for (const url of ["a", "b", "c"]) {
 *     tg.spawn(async (signal) => {
 *       await sleep(1, { signal });
 *       if (url === "b") throw new Error(`cannot fetch ${url}`);
 *     });
 *   }
 * }, { limit: 2 }).catch((e) => e);
 * assert(error instanceof TaskGroupError && error.errors.length === 1);
 * ```
 */
export function taskGroup<T>(
  fn: (tg: TaskGroup) => T | PromiseLike<T>,
  options?: TaskGroupOptions,
): Promise<T | undefined> {
  const ch = tracing.group; // corral:taskGroup:run, context { name }
  if (!traced(ch)) return runTaskGroup(fn, options);
  return traceCall(ch, { name: options?.name }, () => runTaskGroup(fn, options)) as Promise<T | undefined>;
}

async function runTaskGroup<T>(
  fn: (tg: TaskGroup) => T | PromiseLike<T>,
  options?: TaskGroupOptions,
): Promise<T | undefined> {
  checkFn("run taskGroup", fn);
  const { parent, limit, name } = checkGroupOptions("run taskGroup", options);
  const group = new GroupNode<Task>(name, limit, parent ?? ambientNode());
  const tg = new TaskGroup(undefined, group);
  let value: T | undefined;
  try {
    const context = hooks.context;
    value = await (context === undefined ? fn(tg) : context.run(group, () => fn(tg)));
  } catch (error) {
    // A body that rethrows a child's failure (by awaiting the task) adds nothing new.
    if (!group.isOwnCancellation(error, undefined) && !group.failures?.includes(error)) {
      group.recordFailure(error, `the body of the ${group.label} failed`);
    }
  }
  await group.close();
  const error = group.outcome();
  if (error !== undefined) throw error;
  return value;
}

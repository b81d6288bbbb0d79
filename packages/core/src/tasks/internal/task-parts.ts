// The small parts of a Task that are not its behaviour: the shapes of its
// rarely used state, and helpers kept out of Task#run() on purpose.

import { type AmbientStorage, hooks } from "../../base/runtime.ts";
import type { Task } from "../task.ts";
import { CancelNode, type Watcher } from "../../cancellation/internal/cancel-node.ts";
import type { GroupCore } from "./group-core.ts";

/** What `start()` runs. */
export type StartFn<T> = (signal: AbortSignal, started: (value: T) => void) => unknown;

/** A `start()` child until it calls `started()`: who waits, and where it lives meanwhile. */
export interface Starter {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** The caller's scope: the child's parent until `started()`. */
  parent: CancelNode;
  started: boolean;
}

/** The resolvers of the promise behind `await task`, made on first use. */
export interface Waiter {
  promise: Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * What most tasks never need, kept out of line: a task object stays within
 * six fields, which JavaScriptCore stores inline (Bun spawns much faster).
 */
export interface Extra {
  name: string | undefined;
  waiter: Waiter | undefined;
  starter: Starter | undefined;
}

/** `task "name"`, or `a task` when it has none. */
export function label(name: string): string {
  return name === "" ? "a task" : `task "${name}"`;
}

export function ignore(): void {}

// Apart from Task#run() so that the closure's context is made only when an
// adapter installed ambient context.
export function runIn(
  context: AmbientStorage,
  node: CancelNode,
  fn: (signal: AbortSignal) => unknown,
  signal: AbortSignal,
): unknown {
  return context.run(node, () => fn(signal));
}

/**
 * A task's own node in the cancellation tree. It knows its task and group so
 * that a wait on the group from inside the task (a deadlock) is recognised.
 */
export class TaskNode extends CancelNode {
  readonly task: Task;
  readonly group: GroupCore;
  constructor(task: Task, group: GroupCore) {
    super();
    this.task = task;
    this.group = group;
  }
}

/**
 * The unsettled task of `group` that the caller runs in, found through the
 * ambient context: the task's own node, or a node nested inside it (a
 * scope, an inner group, a grandchild). A wait on the group from there
 * would wait on itself. Only while an adapter provides ambient context, and
 * only through links that still exist (a cancelled node has let go of its
 * parent, but a task's own node is found directly).
 */
export function enclosingTask(group: GroupCore): Task | undefined {
  let node = hooks.context?.getStore() as Watcher | undefined;
  while (node !== undefined) {
    if (node instanceof TaskNode && node.group === group && !node.task.done) return node.task;
    node = node.host;
  }
  return undefined;
}

/** True when the caller runs inside `task` (which has not settled), found as in {@linkcode enclosingTask}. */
export function runsInside(task: Task): boolean {
  let node = hooks.context?.getStore() as Watcher | undefined;
  while (node !== undefined) {
    if (node instanceof TaskNode && node.task === task) return !task.done;
    node = node.host;
  }
  return false;
}

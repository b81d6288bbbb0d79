// The small parts of a Task that are not its behaviour: the shapes of its
// rarely used state, and helpers kept out of Task#run() on purpose.

import type { AmbientStorage } from "../runtime.ts";
import type { CancelNode } from "./cancel-node.ts";

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

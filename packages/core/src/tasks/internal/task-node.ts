// A task's own node in the cancellation tree, and the questions it answers
// through the ambient context: which task of a group the caller runs in,
// and whether it runs inside a given task (a wait there would wait on itself).

import { hooks } from "../../base/runtime.ts";
import { CancelNode, type Watcher } from "../../cancellation/internal/cancel-node.ts";
import type { GroupNode } from "./group-node.ts";

/** What these questions need to know of a task. */
export interface TaskIdentity {
  readonly name: string;
  readonly done: boolean;
}

/**
 * A task's own node in the cancellation tree. It knows its task and group so
 * that a wait on the group from inside the task (a deadlock) is recognised.
 */
export class TaskNode extends CancelNode {
  declare readonly task: TaskIdentity;
  declare readonly group: GroupNode<unknown>;
  constructor(task: TaskIdentity, group: GroupNode<unknown>) {
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
export function enclosingTask(group: GroupNode<unknown>): TaskIdentity | undefined {
  let node = hooks.context?.getStore() as Watcher | undefined;
  while (node !== undefined) {
    if (node instanceof TaskNode && node.group === group && !node.task.done) return node.task;
    node = node.host;
  }
  return undefined;
}

/** True when the caller runs inside `task` (which has not settled), found as in {@linkcode enclosingTask}. */
export function runsInside(task: TaskIdentity): boolean {
  let node = hooks.context?.getStore() as Watcher | undefined;
  while (node !== undefined) {
    if (node instanceof TaskNode && node.task === task) return !task.done;
    node = node.host;
  }
  return false;
}

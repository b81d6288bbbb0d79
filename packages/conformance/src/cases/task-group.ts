import type { Suite } from "../harness.ts";
import { taskGroupAwaitUsingCases } from "./task-group-await-using.ts";
import { taskGroupBasicCases } from "./task-group-basics.ts";
import { taskGroupCancelCases } from "./task-group-cancel.ts";
import { taskGroupDeadlockCases } from "./task-group-deadlocks.ts";
import { taskGroupErrorCases } from "./task-group-errors.ts";
import { taskGroupLimitCases } from "./task-group-limit.ts";
import { taskGroupStartCases } from "./task-group-start.ts";
import { taskGroupTaskCases } from "./task-group-task.ts";

// Task groups: taskGroup, TaskGroup, Task, one file per family of cases
// (TG-xx). Adapters install the ambient context on import, so
// currentSignal() inside a task is the task's signal on every target.
export function taskGroupCases(s: Suite): void {
  taskGroupBasicCases(s);
  taskGroupErrorCases(s);
  taskGroupCancelCases(s);
  taskGroupTaskCases(s);
  taskGroupStartCases(s);
  taskGroupLimitCases(s);
  taskGroupAwaitUsingCases(s);
  taskGroupDeadlockCases(s);
}

import type { Suite } from "../harness.ts";
import { exitStackErrorCases } from "./exit-stack-errors.ts";
import { exitStackExitCases } from "./exit-stack-exits.ts";
import { exitStackGraceCases } from "./exit-stack-grace.ts";
import { exitStackLifecycleCases } from "./exit-stack-lifecycle.ts";
import { exitStackRegisterCases } from "./exit-stack-register.ts";

// Exit stacks: Python's AsyncExitStack semantics on TC39 shapes, one file per
// family of cases (EX-xx).
export function exitStackCases(s: Suite): void {
  exitStackRegisterCases(s);
  exitStackErrorCases(s);
  exitStackLifecycleCases(s);
  exitStackExitCases(s);
  exitStackGraceCases(s);
}
